export { type CapturedIO, captureIO } from "../../support/io";
