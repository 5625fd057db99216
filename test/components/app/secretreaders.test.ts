// The drift check's read of the app's Secret (components/app/secretreaders.ts): the refreshers' group,
// the drift role's access entry, gets the app's Secret by name, and nothing else.
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { REFRESHERS_GROUP } from "../../../config/delivery";
import { P, all, inputs, okRun, one } from "../../helpers";

describe("delivery roles: the drift check reads the app's Secret, by name only", () => {
    it("binds the refreshers' group to a Role that gets the app's Secret by name, and its own RBAC objects", async () => {
        const run = await okRun("dev", { secrets: { [`${P}:appSecrets`]: '{"DB_PASSWORD":"hunter2"}' } });
        const secret = one(run, "kubernetes:core/v1:Secret");
        const role = one(run, "kubernetes:rbac.authorization.k8s.io/v1:Role");
        assert.equal(inputs(role).metadata.namespace, "flask-app");
        const [secrets, rbac] = inputs(role).rules;
        assert.deepEqual(secrets.verbs, ["get"]);
        assert.deepEqual(secrets.resources, ["secrets"]);
        // The Secret's own name, whatever suffix Pulumi gave it: no other Secret, and no list.
        assert.ok(role.propertyDependencies.rules.includes(secret.urn));
        assert.deepEqual(rbac, {
            apiGroups: ["rbac.authorization.k8s.io"],
            resources: ["roles", "rolebindings"],
            resourceNames: ["app-secret-readers"],
            verbs: ["get"],
        });
        const binding = inputs(one(run, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding"));
        assert.deepEqual(binding.subjects, [
            { apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: REFRESHERS_GROUP },
        ]);
        assert.equal(binding.roleRef.name, "app-secret-readers");
    });

    it("makes no Role when the app has no Secret, and none anywhere else", async () => {
        const run = await okRun("dev");
        assert.deepEqual(all(run, "kubernetes:rbac.authorization.k8s.io/v1:Role"), []);
        assert.deepEqual(all(run, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding"), []);
    });
});
