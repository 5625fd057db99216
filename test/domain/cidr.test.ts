// IPv4 CIDR arithmetic at its edges: every octet and prefix bound, the reserved ranges' borders,
// and containment at /0 and /32.
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cidrProblem, contains, intToIpv4, ipv4ToInt, reservedRangeOf } from "../../domain/cidr";

describe("cidr: what is a CIDR", () => {
    it("octets up to 255 and prefixes up to 32, each bound of the range included", () => {
        for (const [value, min, max] of [
            ["255.255.255.255/32", 0, 32],
            ["0.0.0.0/0", 0, 32],
            ["10.0.0.0/16", 16, 22],
            ["10.0.0.0/22", 16, 22],
        ] as const)
            assert.equal(cidrProblem(value, min, max), undefined, value);
    });

    it("refuses an octet over 255, a prefix over 32 or outside the range, and anything around it", () => {
        const want = (min: number, max: number) => `an IPv4 CIDR with a prefix from /${min} to /${max}`;
        for (const [value, min, max] of [
            ["256.0.0.0/16", 0, 32],
            ["10.0.0.256/32", 0, 32],
            ["10.0.0.0/33", 0, 33],
            ["10.0.0.0/15", 16, 22],
            ["10.0.0.0/23", 16, 22],
            ["1000.0.0.0/8", 0, 32],
            ["10.0.0.0/100", 0, 32],
            ["x10.0.0.0/8", 0, 32],
            ["10.0.0.0/8x", 0, 32],
            ["10.0.0/8", 0, 32],
        ] as const)
            assert.equal(cidrProblem(value, min, max), want(min, max), value);
    });

    it("names the network address when host bits are set", () => {
        assert.equal(
            cidrProblem("10.0.3.0/16", 16, 22),
            "a network address (host bits zero), such as 10.0.0.0/16",
        );
        assert.equal(
            cidrProblem("255.255.255.255/1", 0, 32),
            "a network address (host bits zero), such as 128.0.0.0/1",
        );
        assert.equal(
            cidrProblem("10.0.0.1/0", 0, 32),
            "a network address (host bits zero), such as 0.0.0.0/0",
        );
    });
});

describe("cidr: ranges", () => {
    it("names the reserved range a CIDR lies in, up to each one's border", () => {
        for (const [cidr, reserved] of [
            ["192.0.2.128/25", "a documentation range, 192.0.2.0/24"],
            ["198.51.100.0/24", "a documentation range, 198.51.100.0/24"],
            ["203.0.113.255/32", "a documentation range, 203.0.113.0/24"],
            ["10.255.0.0/16", "a private range, 10.0.0.0/8"],
            ["172.31.0.0/16", "a private range, 172.16.0.0/12"],
            ["192.168.0.0/16", "a private range, 192.168.0.0/16"],
        ])
            assert.equal(reservedRangeOf(cidr), reserved, cidr);
        for (const cidr of [
            "172.32.0.0/16",
            "172.15.0.0/16",
            "11.0.0.0/8",
            "192.0.3.0/24",
            "0.0.0.0/0",
            "10.0.0.0/7",
        ])
            assert.equal(reservedRangeOf(cidr), undefined, cidr);
    });

    it("contains at /0 and /32: everything in /0, a /32 in itself only", () => {
        assert.ok(contains("0.0.0.0/0", "0.0.0.0/0"));
        assert.ok(contains("0.0.0.0/0", "255.255.255.255/32"));
        assert.ok(contains("10.0.0.1/32", "10.0.0.1/32"));
        assert.ok(!contains("10.0.0.1/32", "10.0.0.2/32"));
        assert.ok(!contains("10.0.0.0/32", "10.0.0.0/31"));
    });

    it("converts between dotted quads and integers at both ends of the range", () => {
        assert.equal(ipv4ToInt([255, 255, 255, 255]), 4294967295);
        assert.equal(ipv4ToInt([1, 2, 3, 4]), 16909060);
        assert.equal(intToIpv4(4294967295), "255.255.255.255");
        assert.equal(intToIpv4(16909060), "1.2.3.4");
    });
});
