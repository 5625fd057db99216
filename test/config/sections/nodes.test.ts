// The nodes section: instance types the table knows, of one CPU architecture, and the group's sizes.
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { nodes } from "../../../config/sections/nodes";
import { P } from "../../helpers";
import { BadConfig, accepted, boundsEach, refused, refusesEach } from "../helpers";

const cases: BadConfig[] = [
    [
        "desired above max",
        { [`${P}:nodeDesiredSize`]: "5" },
        `${P}:nodeDesiredSize: got 5, expected from nodeMinSize to nodeMaxSize (1 to 3)`,
    ],
    [
        "min above desired",
        { [`${P}:nodeMinSize`]: "3", [`${P}:nodeDesiredSize`]: "2" },
        `${P}:nodeDesiredSize: got 2, expected from nodeMinSize to nodeMaxSize (3 to 3)`,
    ],
    [
        "min above max, blamed on the minimum",
        { [`${P}:nodeMinSize`]: "4", [`${P}:nodeMaxSize`]: "2", [`${P}:nodeDesiredSize`]: "2" },
        `${P}:nodeMinSize: got 4, expected at most nodeMaxSize (2)`,
    ],
    ["min below zero", { [`${P}:nodeMinSize`]: "-1" }, `${P}:nodeMinSize: got -1, expected an integer >= 0`],
    [
        "a first size of zero (the autoscaler runs on these nodes)",
        { [`${P}:nodeMinSize`]: "0", [`${P}:nodeDesiredSize`]: "0" },
        `${P}:nodeDesiredSize: got 0, expected an integer >= 1`,
    ],
    [
        "disk below 20 GiB",
        { [`${P}:nodeDiskSizeGiB`]: "8" },
        `${P}:nodeDiskSizeGiB: got 8, expected an integer from 20 to 16384`,
    ],
    [
        "disk above 16384 GiB",
        { [`${P}:nodeDiskSizeGiB`]: "20000" },
        `${P}:nodeDiskSizeGiB: got 20000, expected an integer from 20 to 16384`,
    ],
    [
        "mixed CPU architectures",
        { [`${P}:instanceTypes`]: '["t3.medium","t4g.medium"]' },
        `${P}:instanceTypes: got t3.medium=amd64, t4g.medium=arm64, expected one CPU architecture for all (the AMI and the image are built for one)`,
    ],
    [
        "malformed instance type",
        { [`${P}:instanceTypes`]: '["large"]' },
        `${P}:instanceTypes: got "large", expected EC2 instance types such as t3.medium`,
    ],
    [
        "no instance types",
        { [`${P}:instanceTypes`]: "[]" },
        `${P}:instanceTypes: got [], expected at least one instance type`,
    ],
    [
        "unknown capacity type",
        { [`${P}:capacityType`]: "spot" },
        `${P}:capacityType: got "spot", expected one of ON_DEMAND, SPOT`,
    ],
];

describe("config sections: the nodes, each bad value", () => refusesEach(cases));

describe("config sections: the nodes", () => {
    boundsEach([
        ["nodeDiskSizeGiB", 20, 16384, {}],
        ["nodeMinSize", 0, undefined, { [`${P}:nodeDesiredSize`]: "1", [`${P}:nodeMaxSize`]: "3" }],
        ["nodeDesiredSize", 1, undefined, { [`${P}:nodeMinSize`]: "0", [`${P}:nodeMaxSize`]: "3" }],
    ]);

    it("takes the CPU architecture from the instance-type table", () => {
        for (const t of ["t3.medium", "m6i.large", "c5n.xlarge", "g4dn.xlarge", "m7a.large", "r5b.large"])
            assert.equal(accepted(nodes, { instanceTypes: [t] }).architecture, "amd64", t);
        for (const t of [
            "t4g.medium",
            "m7g.large",
            "c7gn.large",
            "r8gd.large",
            "m6gd.large",
            "a1.large",
            "x2gd.large",
        ])
            assert.equal(accepted(nodes, { instanceTypes: [t] }).architecture, "arm64", t);
    });

    it("an instance type's name, with nothing before or after it", () => {
        for (const type of ["Xt3.medium", "t3.medium!"])
            assert.equal(
                refused(nodes, { instanceTypes: [type] }),
                `${P}:instanceTypes: got ${JSON.stringify(type)}, expected EC2 instance types such as t3.medium`,
            );
    });

    it("one problem for a size out of range, none about the sizes it bounds", () => {
        assert.equal(
            refused(nodes, { nodeMaxSize: "0" }),
            `${P}:nodeMaxSize: got 0, expected an integer >= 1`,
        );
        assert.equal(
            refused(nodes, { nodeMinSize: "-1" }),
            `${P}:nodeMinSize: got -1, expected an integer >= 0`,
        );
    });
});
