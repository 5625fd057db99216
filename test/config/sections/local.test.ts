// The local target's section: the kubeconfig and context (empty for kubectl's defaults), and the
// registry a built image is pushed to.
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { local } from "../../../config/sections/local";
import { P } from "../../helpers";
import { accepted, refused } from "../helpers";

describe("config sections: the local target", () => {
    it("a context name or nothing; a registry with or without a port, one path segment or more", () => {
        for (const localRegistry of ["registry.example.com/team/app", "localhost:5000/team/app"])
            accepted(local, { localRegistry, localContext: "kind-kind" });
        assert.equal(
            refused(local, { localContext: "my context" }),
            `${P}:localContext: got "my context", expected empty, or a kubeconfig context name`,
        );
        for (const localRegistry of ["bad host/x", "localhost:5000/a/B"])
            assert.equal(
                refused(local, { localRegistry }),
                `${P}:localRegistry: got ${JSON.stringify(localRegistry)}, expected an image repository such as localhost:5000/flask-eks`,
            );
    });

    it("an empty kubeconfig or context means the default one", () => {
        const settings = accepted(local, { localKubeconfig: "", localContext: "" });
        assert.equal(settings.kubeconfig, undefined);
        assert.equal(settings.context, undefined);
    });

    it("a kubeconfig file and context set are kept as they are", () => {
        const settings = accepted(local, { localKubeconfig: "/tmp/kind config", localContext: "kind-kind" });
        assert.equal(settings.kubeconfig, "/tmp/kind config");
        assert.equal(settings.context, "kind-kind");
    });
});
