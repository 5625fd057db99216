// The canary section: on or off, its steps and bake time, its thresholds and its Prometheus.
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { canary } from "../../../config/sections/canary";
import { P } from "../../helpers";
import { Reader } from "../../../config/reader";
import { loadStackConfig } from "../../../offline/stack-config";
import { BadConfig, accepted, boundsEach, parseDev, read, refusesEach } from "../helpers";

/** The canary section of a committed stack, as its file and Pulumi.yaml's defaults give it. */
function readStack(stack: string) {
    const { values } = loadStackConfig(stack);
    const r = new Reader((ns, key) => values[`${ns}:${key}`], P, []);
    const result = canary(r);
    assert.deepEqual(r.problems, [], stack);
    return result;
}

const STEPS_EXPECTED = "a rising list of 1 to 99 (percent of the pods), such as [10, 50]";

const cases: BadConfig[] = [
    [
        "canary that is not a boolean",
        { [`${P}:canary`]: "yes" },
        `${P}:canary: got "yes", expected true or false`,
    ],
    ...(
        [
            ["steps that do not rise", "[50, 10]"],
            ["a step of the whole", "[10, 100]"],
            ["a step of nothing", "[0, 50]"],
            ["no step at all", "[]"],
            ["a step that is not a whole percent", "[12.5]"],
            ["steps that are not a list", "10"],
            ["steps written as one string", '"10, 50"'],
            ["a step twice", "[10, 10]"],
        ] as const
    ).map(([what, steps]): BadConfig => [
        what,
        { [`${P}:canarySteps`]: steps },
        `${P}:canarySteps: got ${JSON.stringify(steps)}, expected ${STEPS_EXPECTED}`,
    ]),
    [
        "an error ratio given in percent",
        { [`${P}:canaryMaxErrorRatio`]: "5" },
        `${P}:canaryMaxErrorRatio: got "5", expected a ratio from 0 to 1 such as 0.01 (1%)`,
    ],
    ...["prometheus at http://p:9090", "http://p:9090 or http://q:9090"].map((url): BadConfig => [
        `a Prometheus address with more than a URL (${url})`,
        { [`${P}:canaryPrometheusUrl`]: url },
        `${P}:canaryPrometheusUrl: got "${url}", expected an http(s) URL such as http://prometheus.kube-system.svc:9090`,
    ]),
    [
        "a Prometheus address that is not a URL",
        { [`${P}:canaryPrometheusUrl`]: "prometheus:9090" },
        `${P}:canaryPrometheusUrl: got "prometheus:9090", expected an http(s) URL such as http://prometheus.kube-system.svc:9090`,
    ],
];

describe("config sections: the canary, each bad value", () => refusesEach(cases));

describe("config sections: the canary", () => {
    boundsEach([
        ["canaryBakeSeconds", 20, 3600, {}],
        ["canaryMaxP99Ms", 10, 60000, {}],
    ]);

    it("reads its settings when on: steps as percents, the ratio as a number, the p99 in ms", () => {
        assert.deepEqual(
            accepted(canary, {
                canary: "true",
                canarySteps: "[5, 25, 60]",
                canaryBakeSeconds: "90",
                canaryMaxErrorRatio: "0.005",
                canaryMaxP99Ms: "250",
                canaryPrometheusUrl: "https://prometheus.example.internal/prom",
            }),
            {
                steps: [5, 25, 60],
                bakeSeconds: 90,
                maxErrorRatio: 0.005,
                maxP99Ms: 250,
                prometheusUrl: "https://prometheus.example.internal/prom",
            },
        );
    });

    it("is off as null, with no problem; the workload then holds no canary", () => {
        const { result, problems } = read(canary, { canary: "false" });
        assert.equal(result, null);
        assert.deepEqual(problems, []);
        assert.equal(parseDev({ [`${P}:canary`]: "false" }).workload.canary, undefined);
    });

    it("checks every key even when off, so a bad one never waits for the day it is turned on", () => {
        const { result, problems } = read(canary, { canary: "false", canaryMaxErrorRatio: "1.5" });
        assert.equal(result, undefined);
        assert.deepEqual(problems, [
            `${P}:canaryMaxErrorRatio: got "1.5", expected a ratio from 0 to 1 such as 0.01 (1%)`,
        ]);
    });

    it("accepts the ratio's edges, 0 and 1, and refuses a fifth decimal", () => {
        for (const ratio of ["0", "1", "0.0001", "1.0", "1.0000"])
            assert.equal(
                accepted(canary, { canary: "true", canaryMaxErrorRatio: ratio }).maxErrorRatio,
                Number(ratio),
            );
        for (const ratio of ["0.00001", "1.00000"])
            assert.equal(
                read(canary, { canary: "true", canaryMaxErrorRatio: ratio }).problems.length,
                1,
                ratio,
            );
    });

    it("accepts steps from 1% to 99%", () => {
        assert.deepEqual(accepted(canary, { canary: "true", canarySteps: "[1, 99]" }).steps, [1, 99]);
    });

    it("gives no settings, not off, when canary itself is not a boolean", () => {
        assert.equal(read(canary, { canary: "yes" }).result, undefined);
    });

    it("is on in staging and prod (Pulumi.yaml's default: steps of 10% and 50%, 60 s each); off in dev", () => {
        for (const stack of ["staging", "prod"])
            assert.deepEqual(readStack(stack), {
                steps: [10, 50],
                bakeSeconds: 60,
                maxErrorRatio: 0.01,
                maxP99Ms: 500,
                prometheusUrl: "http://prometheus.kube-system.svc:9090",
            });
        for (const stack of ["dev", "dev-api", "dev-web", "local"])
            assert.equal(readStack(stack), null, stack);
    });
});
