/** RFC 6455 §5.2 / §11.8 opcodes. */

export const OPCODE_CONTINUATION = 0x0;
export const OPCODE_TEXT = 0x1;
export const OPCODE_BINARY = 0x2;
export const OPCODE_CLOSE = 0x8;
export const OPCODE_PING = 0x9;
export const OPCODE_PONG = 0xa;

export type OpcodeName =
  | "continuation"
  | "text"
  | "binary"
  | "close"
  | "ping"
  | "pong"
  | "reserved-data"
  | "reserved-control";

/** Name of each of the 16 opcodes (index = opcode). */
export const opcodeNames: readonly OpcodeName[] = [
  "continuation",
  "text",
  "binary",
  "reserved-data",
  "reserved-data",
  "reserved-data",
  "reserved-data",
  "reserved-data",
  "close",
  "ping",
  "pong",
  "reserved-control",
  "reserved-control",
  "reserved-control",
  "reserved-control",
  "reserved-control",
];

/** Control frames have the high bit of the opcode set (§5.5). */
export function isControlOpcode(opcode: number): boolean {
  return (opcode & 0x8) !== 0;
}

/** True for the six opcodes RFC 6455 defines. */
export function isKnownOpcode(opcode: number): boolean {
  return opcode <= 2 || (opcode >= 8 && opcode <= 10);
}
