// The target: what the stack deploys, eks or local.
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TARGETS, target } from "../../../config/sections/target";
import { P } from "../../helpers";
import { read, refused } from "../helpers";

describe("config sections: the target", () => {
    it("is eks or local", () => {
        assert.deepEqual([...TARGETS], ["eks", "local"]);
        for (const name of TARGETS) assert.equal(read(target, { target: name }).result, name);
    });

    it("refuses any other, naming both", () => {
        assert.equal(
            refused(target, { target: "gke" }),
            `${P}:target: got "gke", expected one of eks, local`,
        );
    });
});
