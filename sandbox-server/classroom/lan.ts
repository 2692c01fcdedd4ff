import { networkInterfaces } from "node:os";
import { renderUnicodeCompact } from "uqr";

/** Addresses students on the local network can reach this machine at (IPv4, not loopback). */
export function lanAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((address) => address && address.family === "IPv4" && !address.internal)
    .map((address) => address!.address);
}

/** The lines class mode prints at start-up: student URLs, a QR code, the instructor URL. */
export function classBanner(options: {
  host: string;
  port: number;
  instructorToken: string;
}): string {
  const { host, port, instructorToken } = options;
  const wildcard = host === "0.0.0.0" || host === "::";
  const hosts = wildcard ? lanAddresses() : [host];
  const urls = (hosts.length > 0 ? hosts : ["127.0.0.1"]).map((address) =>
    address.includes(":") ? `http://[${address}]:${port}/` : `http://${address}:${port}/`,
  );
  const lines = [
    "",
    "Class mode — share one of these with your students:",
    ...urls.map((url) => `  ${url}`),
    "",
    renderUnicodeCompact(urls[0], { border: 1 }),
    "",
    "Instructor dashboard (keep this secret — the token is the key):",
    `  ${urls[0]}instructor/#token=${instructorToken}`,
    "",
  ];
  if (wildcard && hosts.length === 0) {
    lines.push("No LAN address found: students on other machines cannot connect.");
  }
  return lines.join("\n");
}
