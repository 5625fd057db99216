// The region section: a commercial AWS region, with the nearest names for a slip and another
// partition's named as such.
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { region } from "../../../config/sections/region";
import { BadConfig, accepted, refused, refusesEach } from "../helpers";

const cases: BadConfig[] = [
    [
        "missing region",
        { "aws:region": undefined },
        `aws:region: not set, expected a value (Pulumi.yaml declares every key; set this one with pulumi config set aws:region ...)`,
    ],
    [
        "malformed region",
        { "aws:region": "Oregon" },
        `aws:region: got "Oregon", expected a commercial AWS region such as us-west-2`,
    ],
    [
        "a region that does not exist, with the nearest",
        { "aws:region": "us-west-9" },
        `aws:region: got "us-west-9", expected a commercial AWS region such as us-west-2; did you mean us-west-1 or us-west-2?`,
    ],
    [
        "a region outside the commercial partition",
        { "aws:region": "cn-north-1" },
        `aws:region: got "cn-north-1", expected a commercial AWS region such as us-west-2 (cn-north-1 is in another partition, whose ARNs, endpoints and prices this program does not handle)`,
    ],
];

describe("config sections: the region, each bad value", () => refusesEach(cases));

describe("config sections: the region", () => {
    it("takes any commercial region", () => {
        for (const name of ["us-east-1", "eu-central-2", "ap-southeast-7"])
            assert.equal(accepted(region, { "aws:region": name }), name);
    });

    it("names another partition's regions as such, and only those", () => {
        const partition = (region: string) =>
            `aws:region: got "${region}", expected a commercial AWS region such as us-west-2 (${region} is in another partition, whose ARNs, endpoints and prices this program does not handle)`;
        for (const name of [
            "cn-north-1",
            "us-gov-west-1",
            "us-iso-east-1",
            "us-isob-east-1",
            "eusc-de-east-1",
        ])
            assert.equal(refused(region, { "aws:region": name }), partition(name));
        assert.doesNotMatch(refused(region, { "aws:region": "xcn-north-1" }), /another partition/);
    });
});
