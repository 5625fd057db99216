import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { NLB_DEREGISTRATION_SECONDS, shutdown } from "../../../components/app/shutdown";

// components/app/shutdown.ts: how long each step of a pod's leaving takes (the Deployment's use of it
// is in pod.test.ts).

describe("shutdown", () => {
    it("behind an NLB, serves as before for as long as the NLB goes on sending after deregistration", () => {
        assert.equal(shutdown(true).preStopSeconds, NLB_DEREGISTRATION_SECONDS);
        assert.equal(NLB_DEREGISTRATION_SECONDS, 120);
    });

    it("without one, for the seconds kube-proxy takes to drop an endpoint, with room", () => {
        assert.equal(shutdown(false).preStopSeconds, 10);
    });

    it("the grace period covers preStop, the drain and the graceful stop, with a margin", () => {
        for (const behindNlb of [true, false]) {
            const s = shutdown(behindNlb);
            assert.equal(s.servingSeconds, s.preStopSeconds + s.drainSeconds + s.gracefulSeconds);
            assert.equal(s.terminationGracePeriodSeconds, s.servingSeconds + 5);
            assert.deepEqual([s.drainSeconds, s.gracefulSeconds], [5, 20]);
        }
    });
});
