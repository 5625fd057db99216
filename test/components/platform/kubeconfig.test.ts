import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { kubeconfig } from "../../../components/platform/kubeconfig";
import { isSecretValue, unwrapSecrets } from "../../../offline";
import { ROOT, loadStackConfig } from "../../../offline/stack-config";
import { P, eksStacks, okRun, one } from "../../helpers";

for (const stack of eksStacks()) {
    const config = loadStackConfig(stack).values;
    const clusterName = `${P}-${stack}`;

    describe(`kubeconfig (${stack})`, () => {
        it("exports a secret kubeconfig that gets tokens from aws eks get-token", async () => {
            const run = await okRun(stack);
            assert.ok(isSecretValue(run.outputs.kubeconfig));
            const kc = JSON.parse((run.outputs.kubeconfig as { value: string }).value);
            assert.equal(kc["current-context"], clusterName);
            assert.deepEqual(kc.users[0].user.exec.args, [
                "eks",
                "get-token",
                "--cluster-name",
                clusterName,
                "--region",
                config["aws:region"],
            ]);
            assert.match(kc.clusters[0].cluster.server, /^https:\/\/.+\.eks\.amazonaws\.com$/);
            assert.equal(run.outputs.clusterName, clusterName);
        });
    });
}

describe("kubeconfig", () => {
    it("is a whole kubeconfig: one cluster, context and user of the cluster's name, its token from aws, never prompting", () => {
        const config = kubeconfig({
            clusterName: "c",
            region: "us-west-2",
            endpoint: "https://x",
            certificateAuthorityData: "Y2E=",
        });
        assert.deepEqual(config, {
            apiVersion: "v1",
            kind: "Config",
            clusters: [{ name: "c", cluster: { server: "https://x", "certificate-authority-data": "Y2E=" } }],
            contexts: [{ name: "c", context: { cluster: "c", user: "c" } }],
            "current-context": "c",
            users: [
                {
                    name: "c",
                    user: {
                        exec: {
                            apiVersion: "client.authentication.k8s.io/v1beta1",
                            command: "aws",
                            args: ["eks", "get-token", "--cluster-name", "c", "--region", "us-west-2"],
                            env: null,
                            interactiveMode: "Never",
                        },
                    },
                },
            ],
        });
    });

    it("adds the profile and role to the kubeconfig's user only, leaving the cluster entry the provider diffs on", () => {
        const base = {
            clusterName: "c",
            region: "us-west-2",
            endpoint: "https://x",
            certificateAuthorityData: "Y2E=",
        };
        const plain = kubeconfig(base) as Record<string, any>;
        const withRole = kubeconfig({ ...base, profile: "ops", roleArn: "arn:aws:iam::1:role/r" }) as Record<
            string,
            any
        >;
        assert.deepEqual(withRole.clusters, plain.clusters);
        assert.deepEqual(withRole.contexts, plain.contexts);
        assert.deepEqual(withRole.users[0].user.exec.env, [{ name: "AWS_PROFILE", value: "ops" }]);
        assert.deepEqual(withRole.users[0].user.exec.args.slice(-2), ["--role-arn", "arn:aws:iam::1:role/r"]);
    });
});

describe("kubeconfig: people's and Pulumi's", () => {
    it("gives the exported kubeconfig the profile and role, and the provider the deployer's own credentials", async () => {
        const run = await okRun("dev", {
            overrides: {
                [`${P}:kubeconfigProfile`]: "ops",
                [`${P}:kubeconfigRoleArn`]: "arn:aws:iam::123456789012:role/ops-read",
            },
        });
        const exported = JSON.parse((run.outputs.kubeconfig as { value: string }).value);
        assert.deepEqual(exported.users[0].user.exec.env, [{ name: "AWS_PROFILE", value: "ops" }]);
        assert.ok(exported.users[0].user.exec.args.includes("arn:aws:iam::123456789012:role/ops-read"));
        const provider = one(run, "pulumi:providers:kubernetes");
        const own = JSON.parse((unwrapSecrets(provider.inputs) as { kubeconfig: string }).kubeconfig);
        assert.equal(own.users[0].user.exec.env, null, "no profile: CI has none");
        assert.ok(
            !own.users[0].user.exec.args.includes("--role-arn"),
            "no role: the deployer's entry is admin",
        );
        assert.deepEqual(own.clusters, exported.clusters);
    });
});

describe("npm run kubeconfig (scripts/kubeconfig.sh)", () => {
    /** Runs the script in a fresh directory with a pulumi that records its arguments and prints `output` (or fails). */
    function run(args: string[], pulumi: { output: string } | { fails: string }, before?: string) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${P}-kubeconfig-`));
        const bin = path.join(dir, "bin");
        fs.mkdirSync(bin);
        const body =
            "output" in pulumi
                ? `printf '%s\\n' "$*" > "${dir}/args"; printf '%s' '${pulumi.output}'`
                : `echo '${pulumi.fails}' >&2; exit 255`;
        fs.writeFileSync(path.join(bin, "pulumi"), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
        if (before !== undefined) fs.writeFileSync(path.join(dir, "kubeconfig.json"), before);
        const result = spawnSync("bash", [path.join(ROOT, "scripts", "kubeconfig.sh"), ...args], {
            cwd: dir,
            encoding: "utf8",
            env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
        });
        const read = (name: string) =>
            fs.existsSync(path.join(dir, name)) ? fs.readFileSync(path.join(dir, name), "utf8") : undefined;
        const file = path.join(dir, "kubeconfig.json");
        const out = {
            ...result,
            mode: fs.existsSync(file) ? fs.statSync(file).mode & 0o777 : undefined,
            args: read("args"),
            file: read("kubeconfig.json"),
            files: fs.readdirSync(dir).sort(),
            dir,
        };
        fs.rmSync(dir, { recursive: true });
        return out;
    }

    it("asks the CLI for the named stack's output, writes it for its owner only, and prints the export line", () => {
        const done = run(["--stack", "acme/x/dev"], { output: '{"kind":"Config"}' });
        assert.equal(done.status, 0, done.stderr);
        assert.equal(done.args, "stack output kubeconfig --show-secrets --stack acme/x/dev\n");
        assert.equal(done.file, '{"kind":"Config"}');
        assert.equal(done.mode, 0o600);
        assert.equal(done.stdout, `export KUBECONFIG=${done.dir}/kubeconfig.json\n`);
    });

    it("writes nothing when the CLI fails, keeping an earlier kubeconfig.json, and fails with the CLI's error", () => {
        const failed = run(
            ["--stack", "acme/x/nope"],
            { fails: "error: no stack named nope found" },
            "earlier",
        );
        assert.notEqual(failed.status, 0);
        assert.match(failed.stderr, /no stack named nope found/);
        assert.equal(failed.file, "earlier");
        assert.deepEqual(failed.files, ["bin", "kubeconfig.json"], "no partial file left");
        assert.equal(failed.stdout, "");
    });
});
