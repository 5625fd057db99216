// The shapes of a stack's own DNS name and its hosted zone, which the stack and the bootstrap share.
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DNS_NAME, DNS_NAME_EXPECTED, HOSTED_ZONE_ID, HOSTED_ZONE_ID_EXPECTED } from "../../config/dnsnames";

describe("config: DNS names and hosted zones", () => {
    it("a DNS name: lower-case labels with inner dashes, a top-level label of letters, 64 characters at most", () => {
        const at64 = `${"a".repeat(60)}.com`;
        for (const name of ["shop.example.com", "a-b.c0.io", "x.y.z.example.co", at64])
            assert.match(name, DNS_NAME, name);
        for (const name of [
            "example",
            "Shop.example.com",
            "-a.example.com",
            "a-.example.com",
            "a..example.com",
            "shop.example.c0m",
            "shop.example.com.",
            `a${at64}`,
            `${"a".repeat(64)}.com`,
        ])
            assert.doesNotMatch(name, DNS_NAME, name);
        assert.match(DNS_NAME_EXPECTED, /shop\.example\.com/);
    });

    it("a hosted zone id: Z and up to 31 upper-case letters or digits", () => {
        for (const id of ["Z0123456789ABCDEFGHIJ", "Z1", `Z${"A".repeat(31)}`])
            assert.match(id, HOSTED_ZONE_ID, id);
        for (const id of ["Z", "z0123", "Z0123 ", "XZ0123", `Z${"A".repeat(32)}`])
            assert.doesNotMatch(id, HOSTED_ZONE_ID, id);
        assert.match(HOSTED_ZONE_ID_EXPECTED, /Z0123456789ABCDEFGHIJ/);
    });
});
