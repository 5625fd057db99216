import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { unwrapSecrets } from "../../offline";
import { P, inputs, okRun, one, providerUrn } from "../helpers";

// targets/: how each target assembles the stack, beyond what its components' own tests see.

describe("targets", () => {
    it("EKS: the AWS provider tags every resource with its project, stack and managed-by pulumi", async () => {
        const run = await okRun("staging");
        // A provider's inputs reach the engine as strings: the object is JSON.
        assert.deepEqual(JSON.parse(inputs(one(run, "pulumi:providers:aws")).defaultTags), {
            tags: { project: P, stack: "staging", "managed-by": "pulumi" },
        });
    });

    it("EKS: appPolicyArns' attachments are children of the app's role, through the explicit AWS provider", async () => {
        const run = await okRun("dev", {
            overrides: { [`${P}:appPolicyArns`]: '["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]' },
        });
        const role = one(run, "aws:iam/role:Role", "web-role");
        const attachment = one(
            run,
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
            "web-role-aws-AmazonS3ReadOnlyAccess",
        );
        assert.equal(attachment.parent, role.urn);
        assert.equal(providerUrn(attachment.provider), one(run, "pulumi:providers:aws").urn);
    });

    for (const stack of ["dev", "local"])
        it(`${stack}: the app runs in the namespace flask-app, which the docs' kubectl commands name`, async () => {
            const run = await okRun(stack);
            assert.equal(unwrapSecrets(run.outputs.namespace), "flask-app");
            assert.equal(inputs(one(run, "kubernetes:apps/v1:Deployment")).metadata.namespace, "flask-app");
        });

    it("local: builds the image for the architecture of the machine that runs pulumi", async () => {
        const run = await okRun("local");
        const expected = { x64: "linux/amd64", arm64: "linux/arm64" }[process.arch as string];
        assert.ok(expected, `no local image for ${process.arch}`);
        assert.equal(inputs(one(run, "docker:index/image:Image")).build.platform, expected);
    });
});
