import * as assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";
import { LocalImage } from "../../../components/app/localimage";
import { ROOT } from "../../../offline/stack-config";
import { all, builtAlone, inputs, one } from "../../helpers";

// components/app/localimage.ts, built alone: the local target's image.

const DIGEST = `localhost:5000/flask-eks@sha256:${"ab".repeat(32)}`;

function build(imageRef?: string) {
    return builtAlone(() => {
        const image = new LocalImage("image", {
            registry: "localhost:5000/flask-eks",
            projectDir: ROOT,
            context: "app",
            platform: "linux/amd64",
            version: "1.2.3",
            imageRef,
        });
        return { imageRef: image.imageRef };
    });
}

describe("LocalImage", () => {
    it("builds the app for the platform given and pushes it to the registry, no credentials asked", async () => {
        const run = await build();
        const image = inputs(one(run, "docker:index/image:Image"));
        assert.match(image.imageName, /^localhost:5000\/flask-eks:[0-9a-f]+$/);
        assert.deepEqual(image.build, {
            context: "app",
            platform: "linux/amd64",
            args: { APP_VERSION: "1.2.3" },
        });
        assert.equal(image.registry, undefined);
        assert.equal(path.isAbsolute(image.build.context), false);
        assert.match(String(run.outputs.imageRef), /^localhost:5000\/flask-eks@sha256:/);
        const component = one(run, "flask-eks:index:LocalImage");
        assert.deepEqual(run.componentOutputs[component.urn], { imageRef: run.outputs.imageRef });
    });

    it("given an image by digest, builds nothing and deploys that one", async () => {
        const run = await build(DIGEST);
        assert.deepEqual(all(run, "docker:index/image:Image"), []);
        assert.equal(run.outputs.imageRef, DIGEST);
    });
});
