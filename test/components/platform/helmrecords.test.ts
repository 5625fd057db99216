// Where Helm keeps its records (components/platform/helmrecords.ts): no chart the stack installs puts
// key material where whoever refreshes the stack reads.
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HELM_RELEASE_SETTINGS } from "../../../components/platform/helmrecords";
import { all, inputs, okRun, one } from "../../helpers";

const RELEASE = "kubernetes:helm.sh/v3:Release";

describe("Helm's records hold no key", () => {
    it("the cluster's provider keeps them as ConfigMaps, which EKS's view policy reads", async () => {
        assert.deepEqual(HELM_RELEASE_SETTINGS, { driver: "configmap" });
        const provider = inputs(one(await okRun("dev"), "pulumi:providers:kubernetes"));
        assert.deepEqual(JSON.parse(provider.helmReleaseSettings), HELM_RELEASE_SETTINGS);
    });

    // The charts cannot be rendered here (no chart repository is reachable); what they render with
    // these values was read in their templates (lbcontroller.ts, certmanager.ts name them).
    it("every release asks its chart for no key: the controller's webhook certificate from cert-manager, the autoscaler without static keys", async () => {
        const run = await okRun("dev");
        const values = Object.fromEntries(all(run, RELEASE).map((r) => [r.name, inputs(r).values]));
        assert.deepEqual(Object.keys(values).sort(), ["cert-manager", "cluster-autoscaler", "lb-controller"]);
        assert.equal(values["lb-controller"].enableCertManager, true);
        // The autoscaler's chart renders a Secret only with static AWS keys, which the stack never sets.
        assert.equal(values["cluster-autoscaler"].awsAccessKeyID, undefined);
    });
});
