import { describe, expect, it } from "vitest";
import { isoTimesToEpoch } from "../../validators/providers/aws/isoTimes";

describe("CodePipeline times: ISO strings (moto) become epoch seconds, epoch seconds stay", () => {
  it.each([
    [`{"created": "2026-01-10T10:00:00Z"}`, `{"created": 1768039200}`],
    [
      `{"metadata":{"created":"2026-01-10T10:00:00.500+00:00","updated":"2026-01-10T10:01:00Z"}}`,
      `{"metadata":{"created":1768039200.5,"updated":1768039260}}`,
    ],
    [`{"created": 1768039200}`, `{"created": 1768039200}`],
    [`{"name": "2026-01-10T10:00:00Z"}`, `{"name": "2026-01-10T10:00:00Z"}`],
    [`{"created": "2026-99-99T99:00:00Z"}`, `{"created": "2026-99-99T99:00:00Z"}`],
  ])("%s -> %s", (raw, expected) => {
    expect(isoTimesToEpoch(raw)).toBe(expected);
  });
});
