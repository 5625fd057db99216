// The drift check's read of the app's Secret (components/app/secretreaders.ts): the refreshers' group,
// the drift role's access entry, gets the app's Secret by name, and nothing else.
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as k8s from "@pulumi/kubernetes";
import { SecretReaders } from "../../../components/app/secretreaders";
import { REFRESHERS_GROUP } from "../../../config/delivery";
import { P, all, builtAlone, inputs, okRun, one } from "../../helpers";

describe("delivery roles: the drift check reads the app's Secret, by name only", () => {
    it("binds the refreshers' group to a Role that gets the app's Secret by name, and its own RBAC objects", async () => {
        const run = await okRun("dev", { secrets: { [`${P}:appSecrets`]: '{"DB_PASSWORD":"hunter2"}' } });
        const secret = one(run, "kubernetes:core/v1:Secret");
        const role = one(run, "kubernetes:rbac.authorization.k8s.io/v1:Role");
        assert.equal(inputs(role).metadata.namespace, "flask-app");
        const [secrets, rbac] = inputs(role).rules;
        const { resourceNames, ...rest } = secrets;
        assert.deepEqual(rest, { apiGroups: [""], resources: ["secrets"], verbs: ["get"] });
        assert.equal(resourceNames.length, 1);
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
        assert.deepEqual(binding.roleRef, {
            apiGroup: "rbac.authorization.k8s.io",
            kind: "Role",
            name: "app-secret-readers",
        });
        assert.deepEqual(binding.metadata, { name: "app-secret-readers", namespace: "flask-app" });
    });

    it("builds alone, with no options", async () => {
        const run = await builtAlone(() => {
            const secret = new k8s.core.v1.Secret("s", { metadata: { name: "s", namespace: "ns" } });
            new SecretReaders("secret-readers", { secret, group: "readers", namespace: "ns" });
        });
        const component = one(run, "flask-eks:index:SecretReaders", "secret-readers");
        assert.equal(one(run, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding").parent, component.urn);
    });

    it("makes no Role when the app has no Secret, and none anywhere else", async () => {
        const run = await okRun("dev");
        assert.deepEqual(all(run, "kubernetes:rbac.authorization.k8s.io/v1:Role"), []);
        assert.deepEqual(all(run, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding"), []);
    });
});
