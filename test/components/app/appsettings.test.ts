import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { contains } from "../../../domain/cidr";
import { RunResult, runStack, unwrapSecrets } from "../../../offline";
import { loadStackConfig } from "../../../offline/stack-config";
import { estimateCost } from "../../../plan/cost";
import { criticalPath } from "../../../plan/graph";
import { planJson, summaryMarkdown } from "../../../plan/report";
import { P, all, inputs, okRun, one } from "../../helpers";

// What the user's app asks of the platform, each key through the whole program under the mocks (the
// keys at their edges, read by config/app.ts alone, are test/config/app.test.ts).

const SECRET = "hunter2-not-in-plain-text";

function container(run: RunResult) {
    return inputs(one(run, "kubernetes:apps/v1:Deployment")).spec.template.spec.containers[0];
}
const envNamed = (run: RunResult, name: string) =>
    container(run).env.find((e: { name: string }) => e.name === name);

async function refused(overrides: Record<string, string>, secrets: Record<string, string> = {}) {
    const run = await runStack("dev", { overrides, secrets });
    assert.ok(run.error, "the program ran");
    assert.equal(run.registrations.filter((r) => r.custom).length, 0, "something registered");
    return (run.error as unknown as { problems: string[] }).problems;
}

describe("appEnv and appSecrets", () => {
    it("appEnv: each variable reaches the container as it is", async () => {
        const run = await okRun("dev", {
            overrides: { [`${P}:appEnv`]: '{"GREETING":"Hi","LOG_FORMAT":"json"}' },
        });
        assert.deepEqual(envNamed(run, "GREETING"), { name: "GREETING", value: "Hi" });
        assert.deepEqual(envNamed(run, "LOG_FORMAT"), { name: "LOG_FORMAT", value: "json" });
    });

    it("appSecrets: a Secret holds the values, encrypted for the state; the container refers to it by name", async () => {
        const run = await okRun("dev", {
            secrets: { [`${P}:appSecrets`]: JSON.stringify({ DB_PASSWORD: SECRET }) },
        });
        const secret = one(run, "kubernetes:core/v1:Secret");
        const stringData = secret.inputs.stringData;
        assert.deepEqual(unwrapSecrets(stringData), { DB_PASSWORD: SECRET });
        assert.equal(JSON.stringify(unwrapSecrets(stringData, "[secret]")), '"[secret]"', "sent as a secret");
        // By the Secret's name, which Kubernetes' provider gives it (a suffix per replacement).
        assert.equal(envNamed(run, "DB_PASSWORD").valueFrom.secretKeyRef.key, "DB_PASSWORD");
        assert.equal(envNamed(run, "DB_PASSWORD").value, undefined);
        const deployment = one(run, "kubernetes:apps/v1:Deployment");
        assert.ok(deployment.dependencies.includes(secret.urn), "the Deployment waits for the Secret");
        assert.deepEqual(secret.options.replaceOnChanges, ["stringData"], "a change rolls the pods");
    });

    it("appSecrets: the value is in no registration outside a secret, no output, no plan.json and no summary.md", async () => {
        const run = await okRun("dev", {
            secrets: { [`${P}:appSecrets`]: JSON.stringify({ DB_PASSWORD: SECRET }) },
        });
        const masked = JSON.stringify(run.registrations.map((r) => unwrapSecrets(r.inputs, "[secret]")));
        assert.ok(!masked.includes(SECRET), "a registration holds it in plain text");
        assert.ok(
            !JSON.stringify(unwrapSecrets(run.outputs, "[secret]")).includes(SECRET),
            "an output holds it",
        );
        assert.ok(!JSON.stringify(run.config).includes(SECRET), "the recorded config holds it");
        const cost = estimateCost(run);
        const path = criticalPath(run);
        assert.ok(!JSON.stringify(planJson(run, cost, path)).includes(SECRET), "plan.json holds it");
        assert.ok(
            !summaryMarkdown(run, cost, path, "valid", "flowchart LR\n").includes(SECRET),
            "summary.md holds it",
        );
    });

    it("appSecrets set in plain text is refused, without printing the value", async () => {
        const problems = await refused({ [`${P}:appSecrets`]: JSON.stringify({ DB_PASSWORD: SECRET }) });
        assert.deepEqual(problems, [
            `${P}:appSecrets: got a value in plain text (not shown), expected a secret: set each with pulumi config set --secret --path 'appSecrets.NAME' VALUE`,
        ]);
    });

    it("refuses a name the container sets itself, a bad name, and a name in both maps", async () => {
        assert.deepEqual(
            await refused(
                { [`${P}:appEnv`]: '{"PORT":"1","9LIVES":"x","TOKEN":"t"}' },
                { [`${P}:appSecrets`]: '{"TOKEN":"s"}' },
            ),
            [
                `${P}:appEnv: got the name PORT, expected one the container does not set itself (APP_MODULE, DRAIN_SECONDS, GRACEFUL_TIMEOUT, METRICS_PORT, POD_NAME, PORT, PROMETHEUS_MULTIPROC_DIR, WEB_CONCURRENCY)`,
                `${P}:appEnv: got the name "9LIVES", expected letters, digits and _ (not first a digit)`,
            ],
        );
        assert.deepEqual(
            await refused({ [`${P}:appEnv`]: '{"TOKEN":"t"}' }, { [`${P}:appSecrets`]: '{"TOKEN":"s"}' }),
            [`${P}:appEnv: got TOKEN, expected names not also in appSecrets`],
        );
        assert.deepEqual(await refused({}, { [`${P}:appSecrets`]: '{"N":42}' }), [
            `${P}:appSecrets.N: got a value (not shown: it is a secret), expected a string (quote numbers and booleans)`,
        ]);
    });
});

const egressOfApp = (run: RunResult) =>
    inputs(all(run, "kubernetes:networking.k8s.io/v1:NetworkPolicy").find((p) => p.name === "web")!).spec
        .egress;

describe("appEgress", () => {
    it("each destination becomes an egress rule beside DNS; https-anywhere is 0.0.0.0/0 on TCP 443", async () => {
        const run = await okRun("dev", {
            overrides: {
                [`${P}:appEgress`]: '["10.20.0.0/16:5432/tcp","https-anywhere","192.0.2.10/32:514/udp"]',
            },
        });
        const egress = egressOfApp(run);
        assert.equal(egress.length, 4);
        assert.deepEqual(egress.slice(1), [
            { to: [{ ipBlock: { cidr: "10.20.0.0/16" } }], ports: [{ protocol: "TCP", port: 5432 }] },
            { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: 443 }] },
            { to: [{ ipBlock: { cidr: "192.0.2.10/32" } }], ports: [{ protocol: "UDP", port: 514 }] },
        ]);
    });

    it("none set: DNS only, to CoreDNS's pods in kube-system, on UDP and TCP 53", async () => {
        for (const stack of ["dev", "local"])
            assert.deepEqual(egressOfApp(await okRun(stack)), [
                {
                    to: [
                        {
                            namespaceSelector: {
                                matchLabels: { "kubernetes.io/metadata.name": "kube-system" },
                            },
                            podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
                        },
                    ],
                    ports: [
                        { protocol: "UDP", port: 53 },
                        { protocol: "TCP", port: 53 },
                    ],
                },
            ]);
    });

    it("refuses a destination it cannot read", async () => {
        assert.deepEqual(
            await refused({ [`${P}:appEgress`]: '["db.internal:5432","10.0.0.0/8:70000/tcp"]' }),
            [
                `${P}:appEgress: got "db.internal:5432", expected CIDR:port/protocol such as 10.20.0.0/16:5432/tcp (port 1 to 65535, tcp or udp), or https-anywhere`,
                `${P}:appEgress: got "10.0.0.0/8:70000/tcp", expected CIDR:port/protocol such as 10.20.0.0/16:5432/tcp (port 1 to 65535, tcp or udp), or https-anywhere`,
            ],
        );
    });
});

describe("appPolicyArns", () => {
    it("attaches each policy to the app's role, and to no other", async () => {
        const arns = [
            "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
            "arn:aws:iam::123456789012:policy/team/queue-writer",
        ];
        const run = await okRun("dev", { overrides: { [`${P}:appPolicyArns`]: JSON.stringify(arns) } });
        const role = one(run, "aws:iam/role:Role", "web-role");
        const attached = all(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((a) =>
            a.propertyDependencies.role?.includes(role.urn),
        );
        assert.deepEqual(attached.map((a) => inputs(a).policyArn).sort(), arns.sort());
        assert.deepEqual(attached.map((a) => a.name).sort(), [
            "web-role-123456789012-team-queue-writer",
            "web-role-aws-AmazonS3ReadOnlyAccess",
        ]);
    });

    it("with policies and no appEgress, the pods reach STS and the AWS APIs on 443, and nothing in the VPC", async () => {
        const run = await okRun("dev", {
            overrides: { [`${P}:appPolicyArns`]: '["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]' },
        });
        const vpc = inputs(one(run, "aws:ec2/vpc:Vpc")).cidrBlock;
        const egress: {
            to: { ipBlock?: { cidr: string; except?: string[] } }[];
            ports: { protocol: string; port: number }[];
        }[] = inputs(all(run, "kubernetes:networking.k8s.io/v1:NetworkPolicy").find((p) => p.name === "web")!)
            .spec.egress;
        // What NetworkPolicy allows: a rule whose ipBlock holds the address (and no except does) and whose ports have the port.
        const reaches = (ip: string, port: number) =>
            egress.some(
                (rule) =>
                    rule.ports.some((p) => p.protocol === "TCP" && p.port === port) &&
                    rule.to.some(
                        ({ ipBlock }) =>
                            ipBlock &&
                            contains(ipBlock.cidr, `${ip}/32`) &&
                            !(ipBlock.except ?? []).some((e) => contains(e, `${ip}/32`)),
                    ),
            );
        // sts.us-west-2.amazonaws.com and s3's answer from AWS's public ranges; any public address will do.
        assert.ok(reaches("52.94.208.0", 443), "STS");
        assert.ok(reaches("3.5.76.1", 443), "S3");
        assert.equal(reaches("52.94.208.0", 80), false);
        assert.equal(reaches(vpc.replace(/0\/\d+$/, "20"), 443), false, "an address in the VPC");
        // Without policies the role calls nothing, and the rule is not there.
        assert.equal(egressOfApp(await okRun("dev")).length, 1);
    });

    it("none set: the role may do nothing", async () => {
        const run = await okRun("dev");
        const role = one(run, "aws:iam/role:Role", "web-role");
        assert.equal(
            all(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((a) =>
                a.propertyDependencies.role?.includes(role.urn),
            ).length,
            0,
        );
    });

    it("is refused on the local target, and for a policy twice", async () => {
        const local = await runStack("local", {
            overrides: { [`${P}:appPolicyArns`]: '["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]' },
        });
        assert.match(
            local.error!.message,
            /appPolicyArns: got \[.*\], expected \[\] on the local target, whose pods have no AWS role/,
        );
        const twice = '["arn:aws:iam::aws:policy/A","arn:aws:iam::aws:policy/A"]';
        assert.deepEqual(await refused({ [`${P}:appPolicyArns`]: twice }), [
            `${P}:appPolicyArns: got "arn:aws:iam::aws:policy/A", expected each policy once`,
        ]);
    });
});

describe("appModule", () => {
    it("names the WSGI app the container serves", async () => {
        assert.deepEqual(envNamed(await okRun("dev"), "APP_MODULE"), {
            name: "APP_MODULE",
            value: loadStackConfig("dev").values[`${P}:appModule`],
        });
        const run = await okRun("dev", { overrides: { [`${P}:appModule`]: "shop.wsgi:app" } });
        assert.deepEqual(envNamed(run, "APP_MODULE"), { name: "APP_MODULE", value: "shop.wsgi:app" });
    });

    it("refuses anything but module:callable", async () => {
        assert.deepEqual(await refused({ [`${P}:appModule`]: "shop.wsgi" }), [
            `${P}:appModule: got "shop.wsgi", expected module:callable, such as flaskapp:create_app() (() calls a factory)`,
        ]);
    });
});

describe("metrics", () => {
    it("the metrics port admits pods of the cluster only, and the pods ask to be scraped there", async () => {
        const run = await okRun("dev");
        const policy = inputs(
            all(run, "kubernetes:networking.k8s.io/v1:NetworkPolicy").find((p) => p.name === "web")!,
        );
        const metrics = policy.spec.ingress.find(
            (rule: { ports: { port: number }[] }) => rule.ports[0].port === 9090,
        );
        assert.deepEqual(metrics, {
            from: [{ namespaceSelector: {} }],
            ports: [{ protocol: "TCP", port: 9090 }],
        });
        const template = inputs(one(run, "kubernetes:apps/v1:Deployment")).spec.template;
        assert.deepEqual(template.metadata.annotations, {
            "prometheus.io/scrape": "true",
            "prometheus.io/port": "9090",
        });
    });
});
