// The network section: the VPC the stack creates, or one it adopts with two subnets of each kind.
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { network } from "../../../config/sections/network";
import { P } from "../../helpers";
import { BadConfig, accepted, boundsEach, parseDev, refused, refusesEach } from "../helpers";

const VPC = "vpc-0123456789abcdef0";
const subnets = (n: number) => Array.from({ length: 2 }, (_, i) => `subnet-${n}${i}23456789abcdef0`);

const cases: BadConfig[] = [
    [
        "VPC CIDR that is not a CIDR",
        { [`${P}:vpcCidr`]: "10.0.0.0" },
        `${P}:vpcCidr: got "10.0.0.0", expected an IPv4 CIDR with a prefix from /16 to /22`,
    ],
    [
        "VPC CIDR too small for the subnets",
        { [`${P}:vpcCidr`]: "10.0.0.0/24" },
        `${P}:vpcCidr: got "10.0.0.0/24", expected an IPv4 CIDR with a prefix from /16 to /22`,
    ],
    [
        "VPC CIDR with host bits set",
        { [`${P}:vpcCidr`]: "10.0.3.0/16" },
        `${P}:vpcCidr: got "10.0.3.0/16", expected a network address (host bits zero), such as 10.0.0.0/16`,
    ],
    ["AZ count above 6", { [`${P}:azCount`]: "7" }, `${P}:azCount: got 7, expected an integer from 2 to 6`],
    ["AZ count below 2", { [`${P}:azCount`]: "1" }, `${P}:azCount: got 1, expected an integer from 2 to 6`],
    [
        "AZ count not an integer",
        { [`${P}:azCount`]: "two" },
        `${P}:azCount: got "two", expected an integer from 2 to 6`,
    ],
    [
        "unknown NAT mode",
        { [`${P}:natGateways`]: "many" },
        `${P}:natGateways: got "many", expected one of none, single, perAz`,
    ],
    [
        "no NAT gateway for a VPC the stack creates",
        { [`${P}:natGateways`]: "none" },
        `${P}:natGateways: got "none", expected single or perAz for a VPC the stack creates; none only with vpcId (docs/configuration.md, "NAT gateways")`,
    ],
    [
        "VPC id without private subnets",
        {
            [`${P}:vpcId`]: VPC,
            [`${P}:publicSubnetIds`]: '["subnet-0123456789abcdef2","subnet-0123456789abcdef3"]',
        },
        `${P}:privateSubnetIds: got [], expected at least 2 subnets in different AZs when vpcId is set`,
    ],
    [
        "subnets without a VPC id",
        { [`${P}:privateSubnetIds`]: '["subnet-0123456789abcdef0","subnet-0123456789abcdef1"]' },
        `${P}:vpcId: got "", expected a VPC id because publicSubnetIds/privateSubnetIds are set (subnets only make sense with the VPC they belong to)`,
    ],
    [
        "malformed subnet id",
        {
            [`${P}:vpcId`]: VPC,
            [`${P}:privateSubnetIds`]: '["subnet-1","subnet-0123456789abcdef1"]',
            [`${P}:publicSubnetIds`]: '["subnet-0123456789abcdef2","subnet-0123456789abcdef3"]',
        },
        `${P}:privateSubnetIds: got "subnet-1", expected subnet ids such as subnet-0123456789abcdef0`,
    ],
];

describe("config sections: the network, each bad value", () => refusesEach(cases));

describe("config sections: the network", () => {
    const adopted = {
        vpcId: VPC,
        publicSubnetIds: subnets(1),
        privateSubnetIds: subnets(2),
        natGateways: "none",
    };

    boundsEach([["azCount", 2, 6, {}]]);

    it("an empty vpcId creates a VPC: none adopted", () => {
        const created = accepted(network, { vpcId: "", publicSubnetIds: [], privateSubnetIds: [] });
        assert.equal(created.existing, undefined);
        assert.equal(created.vpcCidr, "10.0.0.0/16");
    });

    it("adopts a VPC with two subnets of each kind, with no NAT gateway of its own", () => {
        assert.deepEqual(accepted(network, adopted).existing, {
            vpcId: VPC,
            publicSubnetIds: subnets(1),
            privateSubnetIds: subnets(2),
        });
    });

    it("adopting a VPC needs both subnet lists, through the whole config", () => {
        const adopt = {
            [`${P}:vpcId`]: VPC,
            [`${P}:publicSubnetIds`]: '["subnet-0123456789abcdef2","subnet-0123456789abcdef3"]',
            [`${P}:privateSubnetIds`]: '["subnet-0123456789abcdef0","subnet-0123456789abcdef1"]',
        };
        const config = parseDev(adopt);
        assert.ok(config.target === "eks");
        assert.deepEqual(config.network.existing, {
            vpcId: VPC,
            publicSubnetIds: ["subnet-0123456789abcdef2", "subnet-0123456789abcdef3"],
            privateSubnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
        });
    });

    it("refuses a VPC id or subnet id with anything before or after it, and then no network", () => {
        for (const vpcId of ["vpc-123", `x${VPC}`, `${VPC}x`])
            assert.equal(
                refused(network, { ...adopted, vpcId }),
                `${P}:vpcId: got ${JSON.stringify(vpcId)}, expected empty, or a VPC id such as vpc-0123456789abcdef0`,
            );
        const [one, two] = subnets(1);
        for (const [key, bad] of [
            ["publicSubnetIds", `x${one}`],
            ["privateSubnetIds", `${one}x`],
        ])
            assert.equal(
                refused(network, { ...adopted, [key]: [bad, two] }),
                `${P}:${key}: got ${JSON.stringify(bad)}, expected subnet ids such as subnet-0123456789abcdef0`,
            );
    });

    it("refuses an adopted VPC with one subnet of a kind, and says nothing of its NAT gateways", () => {
        assert.equal(
            refused(network, { ...adopted, privateSubnetIds: [subnets(2)[0]] }),
            `${P}:privateSubnetIds: got ["${subnets(2)[0]}"], expected at least 2 subnets in different AZs when vpcId is set`,
        );
    });
});
