import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { INSTANCE_TYPE_NAMES, architectureOf, instanceType } from "../../domain/instancetypes";

// domain/instancetypes.ts: the table of EC2 instance types the config and the capacity check read.

describe("instance types", () => {
    it("reads a row as vCPUs, memory, architecture and the VPC CNI's pod limit", () => {
        assert.deepEqual(instanceType("t3.medium"), {
            vcpus: 2,
            memoryMiB: 4096,
            architecture: "amd64",
            maxPods: 17,
        });
        assert.deepEqual(instanceType("m7g.large"), {
            vcpus: 2,
            memoryMiB: 8192,
            architecture: "arm64",
            maxPods: 29,
        });
        assert.equal(architectureOf("m7g.large"), "arm64");
    });

    it("holds no type it was not given, not even the names an object inherits", () => {
        for (const name of ["t3.huge", "", "toString", "__proto__", "constructor"]) {
            assert.equal(instanceType(name), undefined, name);
            assert.ok(!INSTANCE_TYPE_NAMES.includes(name), name);
        }
    });

    it("refuses to guess the architecture of a type it does not hold, naming it", () => {
        assert.throws(() => architectureOf("t3.huge"), {
            message: "unknown instance type t3.huge: the config refuses it before this is asked",
        });
    });
});
