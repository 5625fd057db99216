import { createHash } from "crypto";

/** A hex string of `length` derived from `seed`: the mocks' ids and names, the same on every run. */
export function hex(seed: string, length: number): string {
    return createHash("sha256").update(seed).digest("hex").slice(0, length);
}
