// The commercial AWS regions the region section accepts.
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { COMMERCIAL_REGIONS } from "../../config/regions";

describe("config: the commercial regions", () => {
    it("knows the commercial regions by code: well formed, sorted, each once", () => {
        assert.ok(COMMERCIAL_REGIONS.length >= 30, `${COMMERCIAL_REGIONS.length} regions`);
        for (const region of COMMERCIAL_REGIONS) assert.match(region, /^[a-z]{2}(-[a-z]+)+-\d$/);
        assert.deepEqual([...new Set(COMMERCIAL_REGIONS)].sort(), COMMERCIAL_REGIONS);
    });

    it("holds no region of another partition, nor the pseudo-region aws-global", () => {
        for (const region of COMMERCIAL_REGIONS)
            assert.doesNotMatch(region, /^(cn|us-gov|us-iso[a-z]?|eusc)-/);
        assert.ok(!COMMERCIAL_REGIONS.includes("aws-global"));
        assert.ok(COMMERCIAL_REGIONS.includes("us-west-2") && COMMERCIAL_REGIONS.includes("eu-central-1"));
    });
});
