// The canaries' metrics source on EKS (components/addons/prometheus.ts).
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { PODS_SCRAPE_JOB } from "../../../components/addons/prometheus";
import { ROOT } from "../../../offline/stack-config";
import { inputs, okRun, one } from "../../helpers";

describe("Prometheus on EKS", () => {
    it("is the chart's server alone, at the address the analysis reads by default, scraping the app's pods", async () => {
        const run = await okRun("staging");
        const { chart, namespace, values } = inputs(one(run, "kubernetes:helm.sh/v3:Release", "prometheus"));
        assert.deepEqual([chart, namespace], ["prometheus", "kube-system"]);
        for (const part of [
            "alertmanager",
            "prometheus-pushgateway",
            "prometheus-node-exporter",
            "kube-state-metrics",
        ])
            assert.equal(values[part].enabled, false, part);
        // Service prometheus, port 9090, in kube-system: canaryPrometheusUrl's default.
        assert.deepEqual(
            [values.server.fullnameOverride, values.server.service.servicePort],
            ["prometheus", 9090],
        );
        const template = inputs(one(run, "kubernetes:argoproj.io/v1alpha1:AnalysisTemplate"));
        for (const m of template.spec.metrics)
            assert.equal(m.provider.prometheus.address, "http://prometheus.kube-system.svc:9090");
        assert.deepEqual(values.serverFiles["prometheus.yml"].scrape_configs, [PODS_SCRAPE_JOB]);
    });

    it("scrapes as the local cluster's Prometheus does (engine/addons/prometheus.yaml), so an analysis reads the same series", () => {
        const local = fs.readFileSync(path.join(ROOT, "engine/addons/prometheus.yaml"), "utf8");
        for (const rule of PODS_SCRAPE_JOB.relabel_configs) {
            const line = Object.entries(rule)
                .map(([k, v]) => `${k}: ${Array.isArray(v) ? `[${v.join(", ")}]` : v}`)
                .join(", ");
            assert.ok(local.includes(`{ ${line} }`), line);
        }
    });
});
