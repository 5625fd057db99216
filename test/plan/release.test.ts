// plan/release.ts: what the plan says of a release after the first, when it is a canary.
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { estimateCost } from "../../plan/cost";
import { criticalPath } from "../../plan/graph";
import { renderRelease } from "../../plan/release";
import { summaryMarkdown } from "../../plan/report";
import { P, okRun } from "../helpers";

describe("plan: a canary release", () => {
    it("lists each step's share and bake, when each is done at the earliest, the controller and the limits", async () => {
        const text = renderRelease(await okRun("staging"))!;
        const lines = text.split("\n");
        assert.equal(
            lines[0],
            "Each release after the first is a canary (Rollout web, run by the Argo Rollouts controller, chart argo-rollouts 2.41.0):",
        );
        const rows = lines.slice(1, -1).map((l) => l.trim().split(/\s{2,}/));
        assert.deepEqual(rows.slice(-3), [
            ["10%", "60s", "1 min 30 s"],
            ["50%", "60s", "3 min 00 s"],
            ["100%", "3 min 30 s"],
        ]);
        assert.equal(
            lines.at(-1),
            "analysis throughout (AnalysisTemplate, Prometheus): error-ratio <= 0.01, p99-latency <= 0.5; above a limit the controller rolls it back and pulumi up fails.",
        );
    });

    it("gives the same in Markdown, in the pull request's comment after the critical path", async () => {
        const run = await okRun("staging");
        const markdown = renderRelease(run, true)!;
        assert.ok(
            markdown.includes(
                "| share of the pods | bakes | done by |\n|---|---|---|\n| 10% | 60s | 1 min 30 s |\n| 50% | 60s | 3 min 00 s |\n| 100% |  | 3 min 30 s |\n\nanalysis throughout",
            ),
            markdown,
        );
        const summary = (release?: string) =>
            summaryMarkdown(run, estimateCost(run), criticalPath(run), "valid", "flowchart LR\n", {
                release,
            });
        const sections = summary(markdown).match(/^### .*/gm)!;
        const at = sections.indexOf("### Releases after the first");
        assert.deepEqual(sections.slice(at - 1, at + 2), [
            "### Critical path of a first `pulumi up`",
            "### Releases after the first",
            "### Kubernetes manifests",
        ]);
        assert.ok(
            summary(markdown).includes(`### Releases after the first\n\n${markdown}\n\n### Kubernetes`),
        );
        assert.doesNotMatch(summary(), /Releases after the first/);
    });

    it("names the cluster's controller on the local target, and says nothing without a canary", async () => {
        const local = await okRun("local", { overrides: { [`${P}:canary`]: "true" } });
        assert.match(renderRelease(local)!, /run by the Argo Rollouts controller the cluster has\):/);
        assert.equal(renderRelease(await okRun("dev")), undefined);
    });
});
