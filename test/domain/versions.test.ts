import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { KUBERNETES_VERSIONS, KubernetesVersion, newestVersion, runway } from "../../domain/versions";

// domain/versions.ts: the pins each Kubernetes minor runs (the managed add-ons' are test/components/platform/managedaddons.test.ts's),
// and where a minor stands in its support.

const SEMVER = /^(\d+)\.(\d+)\.(\d+)$/;

/** Compares two x.y.z versions: negative, zero or positive. */
function compare(a: string, b: string): number {
    const [x, y] = [a, b].map((v) => SEMVER.exec(v)!.slice(1).map(Number));
    return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

const day = (iso: string, plus = 0) => new Date(Date.parse(iso) + plus * 24 * 60 * 60 * 1000);

describe("versions: the table of Kubernetes minors", () => {
    for (const [minor, row] of Object.entries(KUBERNETES_VERSIONS)) {
        it(`${minor}: twelve months of extended support after standard support`, () => {
            const standard = new Date(row.endOfStandardSupport);
            assert.match(row.endOfStandardSupport, /^\d{4}-\d{2}-\d{2}$/);
            standard.setUTCFullYear(standard.getUTCFullYear() + 1);
            assert.equal(row.endOfExtendedSupport, standard.toISOString().slice(0, 10));
        });

        it(`${minor}: the Cluster Autoscaler of the cluster's minor, from a chart of 9.47.0 or later`, () => {
            const { chart, image } = row.clusterAutoscaler;
            assert.match(image, new RegExp(`^v${minor.replace(".", "\\.")}\\.\\d+$`));
            assert.match(chart, SEMVER);
            assert.ok(compare(chart, "9.47.0") >= 0, chart);
        });

        it(`${minor}: the Load Balancer Controller's chart and image of one release, 3.4.0 or later`, () => {
            const { chart, image } = row.loadBalancerController;
            assert.match(chart, SEMVER);
            assert.equal(image, `v${chart}`);
            assert.ok(compare(chart, "3.4.0") >= 0, chart);
        });

        it(`${minor}: cert-manager of a release line that supports the minor (1.21 supports 1.33 to 1.36)`, () => {
            const { chart } = row.certManager;
            assert.match(chart, /^v1\.21\.\d+$/);
            assert.ok(compare(minor + ".0", "1.33.0") >= 0 && compare(minor + ".0", "1.36.0") <= 0, minor);
        });
    }
});

describe("versions: runway", () => {
    const row: KubernetesVersion = KUBERNETES_VERSIONS[newestVersion()];

    it("is in standard support on its last day (0 days left), in extended support the day after", () => {
        assert.deepEqual(runway(row, day(row.endOfStandardSupport)), {
            phase: "standard",
            days: 0,
            until: row.endOfStandardSupport,
        });
        const after = runway(row, day(row.endOfStandardSupport, 1));
        assert.equal(after.phase, "extended");
        assert.equal(after.until, row.endOfExtendedSupport);
        assert.equal(
            after.days,
            Math.round(
                (Date.parse(row.endOfExtendedSupport) - Date.parse(row.endOfStandardSupport)) / 864e5,
            ) - 1,
        );
    });

    it("is in extended support on its last day, and ended the day after", () => {
        assert.deepEqual(runway(row, day(row.endOfExtendedSupport)), {
            phase: "extended",
            days: 0,
            until: row.endOfExtendedSupport,
        });
        assert.deepEqual(runway(row, day(row.endOfExtendedSupport, 1)), {
            phase: "ended",
            days: 0,
            until: row.endOfExtendedSupport,
        });
    });

    it("counts whole days from the start of today (UTC), whatever the hour", () => {
        const evening = new Date(Date.parse(row.endOfStandardSupport) - 864e5 + 23 * 3600e3);
        assert.equal(runway(row, evening).days, 1);
    });
});

describe("versions: newestVersion", () => {
    it("picks the minor whose standard support ends last, wherever the table lists it", () => {
        const rows = Object.entries(KUBERNETES_VERSIONS);
        const newest = newestVersion();
        const last = Math.max(...rows.map(([, r]) => Date.parse(r.endOfStandardSupport)));
        assert.equal(Date.parse(KUBERNETES_VERSIONS[newest].endOfStandardSupport), last);
        for (const order of [rows, [...rows].reverse(), [rows[1], rows[0], ...rows.slice(2)]])
            assert.equal(newestVersion(Object.fromEntries(order)), newest, order.map(([m]) => m).join());
    });
});
