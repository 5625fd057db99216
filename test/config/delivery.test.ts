// The names the bootstrap gives a stack's delivery roles and boundary, which the stack looks up.
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { REFRESHERS_GROUP, deliveryNames } from "../../config/delivery";
import { P } from "../helpers";

describe("config: the delivery names", () => {
    it("name each stack's deploy and preview roles, boundary and deploy IAM policy after the stack; one drift role per project", () => {
        assert.deepEqual(deliveryNames(P, "prod"), {
            deployRole: `${P}-deploy-prod`,
            previewRole: `${P}-preview-prod`,
            driftRole: `${P}-drift`,
            boundaryPolicy: `${P}-boundary-prod`,
            deployIamPolicy: `${P}-deploy-iam-prod`,
        });
        const [dev, staging] = [deliveryNames(P, "dev"), deliveryNames(P, "staging")];
        assert.equal(dev.driftRole, staging.driftRole);
        for (const name of ["deployRole", "previewRole", "boundaryPolicy", "deployIamPolicy"] as const)
            assert.notEqual(dev[name], staging[name], name);
    });

    it("the refreshers' Kubernetes group is the project's own", () => {
        assert.equal(REFRESHERS_GROUP, "flask-eks:refreshers");
    });
});
