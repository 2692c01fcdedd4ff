/**
 * WireLab protocol core: pure TypeScript over Uint8Array (no Buffer, no DOM,
 * no Node APIs), shared by the visualizer, the sandbox server's /ws/raw
 * endpoint and the tests.
 */
export { FrameParser, parseFrame, parseFrames, DEFAULT_MAX_MESSAGE_SIZE } from "./frame-parser.ts";
export type {
  ErrorStep,
  FieldStep,
  FrameCompleteStep,
  FrameParserOptions,
  FrameParserOutput,
  MessageCompleteStep,
  MessageType,
  NeedMoreStep,
  ParsedFrame,
  ParsedMessage,
  ParsedSingleFrame,
  ParsedStream,
  ParserRole,
  ParserState,
  PartialFrame,
  TraceStep,
} from "./frame-parser.ts";
export { frameFields, frameFieldsByName, frameLayout, explain } from "./frame-fields.ts";
export type {
  FieldPlacement,
  FrameField,
  FrameFieldCondition,
  FrameFieldName,
} from "./frame-fields.ts";
export { protocolErrors, makeProtocolError } from "./errors.ts";
export type {
  FailCloseCode,
  ProtocolError,
  ProtocolErrorCode,
  ProtocolErrorInfo,
} from "./errors.ts";
export {
  encodeFrame,
  encodeCloseFrame,
  encodeClosePayload,
  encodeUtf8,
  frameHeaderLength,
  randomMaskGenerator,
} from "./frame-encoder.ts";
export type { EncodeOptions, FrameToEncode, MaskGenerator } from "./frame-encoder.ts";
export { applyMask, maskInto } from "./mask.ts";
export {
  OPCODE_BINARY,
  OPCODE_CLOSE,
  OPCODE_CONTINUATION,
  OPCODE_PING,
  OPCODE_PONG,
  OPCODE_TEXT,
  isControlOpcode,
  isKnownOpcode,
  opcodeNames,
} from "./opcodes.ts";
export type { OpcodeName } from "./opcodes.ts";
export {
  closeCodes,
  closeCodeInfo,
  closeCodeRange,
  describeCloseCode,
  isValidReceivedCloseCode,
  localOnlyCloseCodes,
  PRIVATE_CLOSE_CODE_RANGE,
  REGISTERED_CLOSE_CODE_RANGE,
} from "./close-codes.ts";
export type { CloseCodeInfo, CloseCodeRange } from "./close-codes.ts";
export { Utf8Validator, isValidUtf8 } from "./utf8-validator.ts";
export {
  acceptKey,
  acceptKeySteps,
  acceptKeySync,
  isValidWebSocketKey,
  WEBSOCKET_GUID,
} from "./accept-key.ts";
export type { AcceptKeySteps } from "./accept-key.ts";
export { sha1 } from "./sha1.ts";
export { base64Decode, base64Encode } from "./base64.ts";
export { bytesToHex, concatBytes, hexToBytes } from "./hex.ts";
export {
  formatExtensionsHeader,
  formatPerMessageDeflate,
  inflateMessage,
  negotiatePerMessageDeflate,
  parseExtensionsHeader,
  parsePerMessageDeflateParams,
  PERMESSAGE_DEFLATE,
} from "./permessage-deflate.ts";
export type {
  ExtensionOffer,
  ExtensionParam,
  PerMessageDeflateParams,
} from "./permessage-deflate.ts";
export { findHeadEnd, getHeader, headerHasToken, parseHttpHead } from "./http-handshake.ts";
export type {
  HttpHead,
  HttpHeadResult,
  HttpHeaderField,
  HttpRequestHead,
  HttpResponseHead,
} from "./http-handshake.ts";
export {
  decodeEngineIoPacket,
  decodeEngineIoPayload,
  describeEngineIoPacket,
  encodeEngineIoPacket,
  encodeEngineIoPayload,
  ENGINE_IO_RECORD_SEPARATOR,
  engineIoPacketTypes,
  isEngineIoError,
} from "./engine-io.ts";
export type {
  EngineIoDecodeError,
  EngineIoErrorCode,
  EngineIoOpenData,
  EngineIoPacket,
  EngineIoPacketType,
} from "./engine-io.ts";
export {
  decodeSocketIoPacket,
  describeSocketIoPacket,
  isSocketIoError,
  reconstructBinaryData,
  reservedSocketIoEvents,
  SocketIoDecoder,
  SocketIoWireDecoder,
  socketIoPacketTypes,
} from "./socket-io.ts";
export type {
  SocketIoDecodeError,
  SocketIoDecoderResult,
  SocketIoErrorCode,
  SocketIoPacket,
  SocketIoPacketType,
  SocketIoWireEntry,
} from "./socket-io.ts";
