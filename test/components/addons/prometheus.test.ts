// The canaries' metrics source on EKS (components/addons/prometheus.ts).
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import * as yaml from "js-yaml";
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

    it("is the pinned chart, keeping a day of 10 s scrapes on an emptyDir: the analysis reads minutes", async () => {
        const { version, repositoryOpts, values } = inputs(
            one(await okRun("prod"), "kubernetes:helm.sh/v3:Release", "prometheus"),
        );
        assert.deepEqual(
            { version, repositoryOpts },
            {
                version: "27.3.0",
                repositoryOpts: { repo: "https://prometheus-community.github.io/helm-charts" },
            },
        );
        assert.deepEqual(values.server, {
            fullnameOverride: "prometheus",
            service: { servicePort: 9090 },
            persistentVolume: { enabled: false },
            retention: "1d",
            global: { scrape_interval: "10s", evaluation_interval: "10s" },
            resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "1Gi" } },
        });
    });

    it("scrapes as the local cluster's Prometheus does (engine/addons/prometheus.yaml), so an analysis reads the same series", () => {
        const manifests = yaml.loadAll(
            fs.readFileSync(path.join(ROOT, "engine/addons/prometheus.yaml"), "utf8"),
        );
        const config = manifests.find((m) => (m as { kind: string }).kind === "ConfigMap") as {
            data: Record<string, string>;
        };
        const local = yaml.load(config.data["prometheus.yml"]) as { scrape_configs: unknown[] };
        assert.deepEqual(local.scrape_configs, [PODS_SCRAPE_JOB]);
    });
});
