import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { isSecretValue } from "../../../offline";
import { ROOT, loadStackConfig } from "../../../offline/stack-config";
import * as aws from "@pulumi/aws";
import { Image } from "../../../components/app/image";
import {
    P,
    builtAlone,
    checkoutCopy,
    eksStacks,
    inputs,
    okRun,
    one,
    providerUrn,
    waitsFor,
} from "../../helpers";
import { architectureOf } from "../../../domain/instancetypes";

for (const stack of eksStacks()) {
    const config = loadStackConfig(stack).values;

    describe(`image (${stack})`, () => {
        it("keeps images in a scanned, immutable, encrypted ECR repository", async () => {
            const repo = inputs(one(await okRun(stack), "aws:ecr/repository:Repository"));
            assert.equal(repo.name, `${P}-${stack}/web`);
            assert.deepEqual(repo.imageScanningConfiguration, { scanOnPush: true });
            assert.equal(repo.imageTagMutability, "IMMUTABLE");
            assert.deepEqual(repo.encryptionConfigurations, [{ encryptionType: "KMS" }]);
            assert.equal(repo.forceDelete, config[`${P}:imageForceDelete`] === "true");
        });

        it("expires all but the configured number of images", async () => {
            const run = await okRun(stack);
            const policy = JSON.parse(inputs(one(run, "aws:ecr/lifecyclePolicy:LifecyclePolicy")).policy);
            assert.deepEqual(policy.rules[0].selection, {
                tagStatus: "any",
                countType: "imageCountMoreThan",
                countNumber: Number(config[`${P}:imageKeepCount`]),
            });
            assert.deepEqual(policy.rules[0].action, { type: "expire" });
        });

        it("builds app/ for the nodes' architecture, tagged by content, and pushes with ECR credentials", async () => {
            const run = await okRun(stack);
            const image = one(run, "docker:index/image:Image");
            const { build, imageName, registry } = inputs(image);
            assert.equal(
                build.platform,
                `linux/${architectureOf(JSON.parse(config[`${P}:instanceTypes`])[0])}`,
            );
            // Relative to the project, with the Dockerfile where the context keeps it: the same on
            // every checkout.
            assert.equal(build.context, "app");
            assert.equal(build.dockerfile, undefined);
            assert.deepEqual(build.args, { APP_VERSION: config[`${P}:imageVersion`] });
            const repoUrl = `123456789012.dkr.ecr.${config["aws:region"]}.amazonaws.com/${P}-${stack}/web`;
            assert.match(imageName, new RegExp(`^${repoUrl}:[0-9a-f]{16}$`));
            assert.equal(registry.server, repoUrl);
            assert.equal(registry.username, "AWS");
            assert.ok(image.propertyDependencies.registry.length > 0);
            // The registry password reaches the engine as a secret, so the state stores it encrypted.
            assert.ok(isSecretValue((image.inputs.registry as Record<string, unknown>).password));
        });

        it("does not wait for the cluster, so it builds while EKS is created", async () => {
            const run = await okRun(stack);
            const image = one(run, "docker:index/image:Image");
            for (const type of [
                "aws:eks/cluster:Cluster",
                "aws:eks/nodeGroup:NodeGroup",
                "pulumi:providers:kubernetes",
            ]) {
                assert.equal(waitsFor(run, image, one(run, type)), false, `image waits for ${type}`);
            }
            assert.equal(
                providerUrn(one(run, "aws:ecr/repository:Repository").provider),
                one(run, "pulumi:providers:aws").urn,
            );
        });

        it("exports imageRef as the image's repo digest", async () => {
            const run = await okRun(stack);
            const registry = `123456789012.dkr.ecr.${config["aws:region"]}.amazonaws.com`;
            assert.match(
                String(run.outputs.imageRef),
                new RegExp(`^${registry}/${P}-${stack}/web@sha256:[0-9a-f]{64}$`),
            );
        });
    });
}

describe("image options", () => {
    it("builds for linux/arm64 when the node group runs Graviton instances", async () => {
        const run = await okRun("dev", {
            overrides: { [`${P}:instanceTypes`]: '["t4g.medium","t4g.large"]' },
        });
        assert.equal(inputs(one(run, "docker:index/image:Image")).build.platform, "linux/arm64");
        assert.equal(inputs(one(run, "aws:eks/nodeGroup:NodeGroup")).amiType, "AL2023_ARM_64_STANDARD");
    });

    it("builds on one base pinned by digest, in a FROM line Dependabot can update", () => {
        // The tag is a hash of app/: with a floating base, one tag could name two different images.
        const froms = fs
            .readFileSync(path.join(ROOT, "app", "Dockerfile"), "utf8")
            .split("\n")
            .filter((line) => /^FROM /i.test(line));
        assert.match(froms[0], /^FROM python:3\.\d+-slim@sha256:[0-9a-f]{64} AS base$/);
        // Every later stage starts from that one (or another stage); no ARG stands in for an image.
        for (const from of froms.slice(1)) assert.match(from, /^FROM (base|build)( AS \w+)?$/);
    });

    it("sends the Docker provider byte-identical inputs from two checkouts at different paths", async () => {
        const other = checkoutCopy();
        try {
            const imageOf = async (root?: string) =>
                JSON.stringify(
                    one(await okRun("dev", root ? { root } : undefined), "docker:index/image:Image").inputs,
                );
            assert.equal(await imageOf(other), await imageOf());
        } finally {
            fs.rmSync(other, { recursive: true });
        }
    });
});

describe("rollback", () => {
    it("runs a pinned earlier image instead of the build, and exports it as imageRef", async () => {
        const pinned = `123456789012.dkr.ecr.us-west-2.amazonaws.com/${P}-dev/web@sha256:${"ab".repeat(32)}`;
        const run = await okRun("dev", { overrides: { [`${P}:imageRef`]: pinned } });
        const deployment = one(run, "kubernetes:apps/v1:Deployment");
        assert.equal(inputs(deployment).spec.template.spec.containers[0].image, pinned);
        assert.equal(run.outputs.imageRef, pinned);
        assert.ok(!deployment.dependencies.includes(one(run, "docker:index/image:Image").urn));
    });
});

describe("Image, built alone", () => {
    const build = () =>
        builtAlone(() => {
            const provider = new aws.Provider("aws", { region: "us-west-2" });
            const image = new Image(
                "image",
                {
                    repositoryName: "shop/web",
                    projectDir: ROOT,
                    context: "app",
                    architecture: "arm64",
                    version: "1.2.3",
                    keepCount: 7,
                    forceDelete: false,
                },
                { providers: [provider] },
            );
            return { imageRef: image.imageRef };
        });

    it("says what its lifecycle rule keeps, and asks ECR for credentials through its provider", async () => {
        const run = await build();
        const policy = JSON.parse(inputs(one(run, "aws:ecr/lifecyclePolicy:LifecyclePolicy")).policy);
        assert.equal(policy.rules[0].description, "Keep the 7 most recent images");
        const token = run.invokes.find(
            (i) => i.token === "aws:ecr/getAuthorizationToken:getAuthorizationToken",
        );
        assert.equal(providerUrn(token?.provider ?? ""), one(run, "pulumi:providers:aws").urn);
    });

    it("registers the image it built and the one the workload runs", async () => {
        const run = await build();
        const outputs = run.componentOutputs[one(run, "flask-eks:index:Image").urn];
        assert.deepEqual(Object.keys(outputs).sort(), ["builtRef", "imageRef"]);
        assert.equal(outputs.imageRef, outputs.builtRef);
        assert.match(String(outputs.builtRef), /@sha256:/);
    });
});
