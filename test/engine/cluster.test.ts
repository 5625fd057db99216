// engine/cluster.sh stop, as the end-to-end test runs it first: it puts back what an interrupted run
// left, and must neither fail on processes that are gone nor kill a process that reused a PID.
import * as assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { ROOT } from "../../offline/stack-config";

/** What cluster.sh records for a process it starts: the boot and the clock tick it started at. */
function startedAt(pid: number): string {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(") ") + 2).split(" ");
    return `${fs.readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim()}:${fields[19]}`;
}

function stop(state: string) {
    return spawnSync("bash", ["engine/cluster.sh", "stop"], {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, FLASK_EKS_CLUSTER: state },
    });
}

const alive = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

describe("engine/cluster.sh stop", () => {
    const children: ChildProcess[] = [];
    const sleeper = () => {
        const child = spawn("sleep", ["300"], { stdio: "ignore" });
        children.push(child);
        return child;
    };
    after(() => children.forEach((c) => c.kill("SIGKILL")));

    it("leaves a process that holds a recorded PID but started at another time, and exits 0", async () => {
        const state = fs.mkdtempSync(path.join(os.tmpdir(), "flask-eks-cluster-"));
        const stranger = sleeper();
        const dead = spawnSync("true").pid; // a PID whose process is gone
        fs.writeFileSync(
            path.join(state, "pids"),
            [
                `${dead} ${startedAt(stranger.pid!).replace(/:\d+$/, ":1")} etcd`,
                `${stranger.pid} ${startedAt(stranger.pid!).replace(/:\d+$/, ":1")} kube-apiserver`,
                `${stranger.pid} kubelet`, // the format before start times were recorded
                "",
            ].join("\n"),
        );
        const result = stop(state);
        assert.equal(result.status, 0, result.stderr);
        await new Promise((r) => setTimeout(r, 200));
        assert.ok(alive(stranger), "the stranger was killed");
        assert.equal(fs.existsSync(path.join(state, "pids")), false);
        fs.rmSync(state, { recursive: true });
    });

    it("stops the processes it did start", async () => {
        const state = fs.mkdtempSync(path.join(os.tmpdir(), "flask-eks-cluster-"));
        const started = sleeper();
        fs.writeFileSync(path.join(state, "pids"), `${started.pid} ${startedAt(started.pid!)} etcd\n`);
        const exited = new Promise((r) => started.once("exit", r));
        const result = stop(state);
        assert.equal(result.status, 0, result.stderr);
        await exited;
        assert.match(result.stderr, new RegExp(`stopped etcd \\(${started.pid}\\)`));
        fs.rmSync(state, { recursive: true });
    });
});
