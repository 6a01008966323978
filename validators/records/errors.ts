import { OperationalError } from "../core/errors";

/** The record store could not be read or written (exit 4: never a verdict, never a rollback). */
export class RecordStoreError extends OperationalError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, "record-store", options);
    this.name = "RecordStoreError";
  }
}
