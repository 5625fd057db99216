// What the plan reports of a stack's Kubernetes version (plan/report.ts): the runway, and every notice.
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderChecks, styleFor } from "../../plan/report";
import { P, okRun } from "../helpers";

describe("plan: Kubernetes support", () => {
    const extended = {
        overrides: { [`${P}:kubernetesVersion`]: "1.33", [`${P}:upgradePolicy`]: "EXTENDED" },
    };
    const day = new Date("2026-11-28T12:00:00Z");

    it("shows the runway, and every notice the config gives", async () => {
        const plain = styleFor({ isTTY: false } as NodeJS.WriteStream);
        const text = renderChecks(await okRun("dev", extended), day, plain);
        assert.match(
            text,
            /Kubernetes 1\.33: extended support \(billed as such\) until 2027-07-29, 243 days left/,
        );
        assert.match(text, /notice: Kubernetes 1\.33 is in extended support/);
        const prod = renderChecks(await okRun("prod"), day, plain);
        assert.match(prod, /Kubernetes 1\.36: standard support until 2027-08-02, 247 days left/);
        assert.match(prod, /notice: endpointPublicAccessCidrs holds the placeholder/);
    });
});
