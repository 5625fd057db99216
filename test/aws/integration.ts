// The end-to-end test for people with credentials: `npm run test:aws`. It creates an ephemeral
// stack from the dev config, runs `up`, waits for the app's /healthz through the load balancer,
// checks / and that the Deployment runs the stack's imageRef, checks that a second `up` changes
// nothing, and always destroys and removes the stack. Without what it needs it says "skipped"
// and which prerequisite is missing; it never reports a pass it did not earn.
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import * as assert from "assert";
import { spawnSync } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { PROJECT, ROOT } from "../../offline/stack-config";

const HEALTH_DEADLINE_MS = 15 * 60 * 1000;

/** What this machine lacks for a real deploy, as readable phrases. */
export function missingPrerequisites(env: NodeJS.ProcessEnv = process.env): string[] {
    const runs = (cmd: string, args: string[]) => spawnSync(cmd, args, { env, stdio: "ignore" }).status === 0;
    const missing: string[] = [];
    if (!runs("pulumi", ["version"])) missing.push("the Pulumi CLI on PATH");
    const home = env.HOME ?? os.homedir();
    const awsCredentials =
        env.AWS_ACCESS_KEY_ID ||
        env.AWS_PROFILE ||
        env.AWS_WEB_IDENTITY_TOKEN_FILE ||
        env.AWS_CONTAINER_CREDENTIALS_FULL_URI ||
        ["credentials", "config"].some((f) => fs.existsSync(path.join(home, ".aws", f)));
    if (!awsCredentials) missing.push("AWS credentials (environment, AWS_PROFILE or ~/.aws)");
    if (!runs("docker", ["info"])) missing.push("a running Docker engine (the image is built locally)");
    if (
        missing.length === 0 &&
        !env.PULUMI_ACCESS_TOKEN &&
        !env.PULUMI_BACKEND_URL &&
        !runs("pulumi", ["whoami"])
    ) {
        missing.push("a Pulumi backend (pulumi login, PULUMI_ACCESS_TOKEN or PULUMI_BACKEND_URL)");
    }
    return missing;
}

async function waitForHealth(url: string): Promise<void> {
    const deadline = Date.now() + HEALTH_DEADLINE_MS;
    let last = "no answer yet";
    while (Date.now() < deadline) {
        try {
            const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5000) });
            if (response.status === 200) return;
            last = `HTTP ${response.status}`;
        } catch (e) {
            last = String(e);
        }
        await new Promise((resolve) => setTimeout(resolve, 10_000));
    }
    throw new Error(
        `${url}/healthz did not answer 200 within ${HEALTH_DEADLINE_MS / 60000} min (last: ${last})`,
    );
}

async function run(): Promise<void> {
    const stackName = `it-${Date.now().toString(36)}-${randomBytes(2).toString("hex")}`;
    const log = (line: string) => process.stdout.write(line);
    console.log(`test:aws: creating ephemeral stack ${stackName}`);
    const stack: Stack = await LocalWorkspace.createStack({ stackName, workDir: ROOT });
    try {
        const devFile = yaml.load(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")) as {
            config: Record<string, unknown>;
        };
        const config = Object.fromEntries(
            Object.entries(devFile.config).map(([key, value]) => [
                key,
                { value: typeof value === "string" ? value : JSON.stringify(value) },
            ]),
        );
        // An ephemeral stack's images must not outlive it; the bootstrap made no roles for it, so
        // whoever runs the test administers its cluster.
        config[`${PROJECT}:imageForceDelete`] = { value: "true" };
        config[`${PROJECT}:deliveryRoles`] = { value: "false" };
        await stack.setAllConfig(config);

        const first = await stack.up({ onOutput: log });
        const url = String(first.outputs.url.value);
        await waitForHealth(url);
        const greeting = (await (await fetch(`${url}/`)).json()) as { version?: unknown };
        assert.equal(typeof greeting.version, "string", "GET / answers the JSON greeting");

        const state = await stack.exportStack();
        const deployment = state.deployment.resources.find(
            (r: { type: string }) => r.type === "kubernetes:apps/v1:Deployment",
        );
        assert.equal(deployment.outputs.spec.template.spec.containers[0].image, first.outputs.imageRef.value);

        const second = await stack.up({ onOutput: log });
        const changes = Object.keys(second.summary.resourceChanges ?? {}).filter((kind) => kind !== "same");
        assert.deepEqual(changes, [], "a second up with no changes is a no-op");
        console.log("test:aws: passed (up, health, greeting, image digest, idempotent second up)");
    } finally {
        console.log(`test:aws: destroying ${stackName}`);
        await stack.destroy({ onOutput: log });
        await stack.workspace.removeStack(stackName);
    }
}

if (require.main === module) {
    const missing = missingPrerequisites();
    if (missing.length > 0) {
        console.log(
            `test:aws: skipped: needs ${missing.join("; ")}. Nothing was deployed and nothing was tested.`,
        );
    } else {
        run().catch((e) => {
            console.error(`test:aws: failed: ${e instanceof Error ? e.message : e}`);
            process.exit(1);
        });
    }
}
