// node scripts/run-tests.js FILE...: the program's test files in two processes (one per core), each
// running its share in itself. node --test starts a process per file, and each loads the Pulumi SDK
// (half a second) and evaluates the committed stacks again; here that happens once per process.
// Prints each process's TAP in turn, then the totals in node's own summary lines; exits non-zero if
// any test failed or a process died.
"use strict";
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const SHARDS = 2;
const SUMMARY = ["tests", "suites", "pass", "fail", "cancelled", "skipped", "todo"];

if (process.argv[2] === "--in-process") {
    // A child: every file's tests register now, and node:test runs them when the process is idle.
    for (const file of process.argv.slice(3)) require(path.resolve(file));
} else {
    main(process.argv.slice(2));
}

function main(files) {
    // The largest files first, each to the lighter share: size stands in for cost.
    const shards = Array.from({ length: SHARDS }, () => ({ files: [], bytes: 0 }));
    const sized = files.map((f) => [f, fs.statSync(f).size]).sort((a, b) => b[1] - a[1]);
    for (const [file, bytes] of sized) {
        const lightest = shards.reduce((a, b) => (b.bytes < a.bytes ? b : a));
        lightest.files.push(file);
        lightest.bytes += bytes;
    }
    // Run from inside another node --test, a child would report to it instead of printing TAP.
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    const runs = shards
        .filter((s) => s.files.length > 0)
        .map(
            (s) =>
                new Promise((resolve) => {
                    const args = ["--require", path.join(__dirname, "transpile.js"), "--test-reporter=tap"];
                    const child = spawn(process.execPath, [...args, __filename, "--in-process", ...s.files], {
                        env,
                        stdio: ["ignore", "pipe", "pipe"],
                    });
                    let out = "";
                    child.stdout.on("data", (d) => (out += d));
                    child.stderr.on("data", (d) => (out += d));
                    child.on("error", (error) => resolve({ status: null, out: `${out}${error}\n` }));
                    child.on("close", (status) => resolve({ status, out }));
                }),
        );
    Promise.all(runs).then((results) => {
        const totals = Object.fromEntries(SUMMARY.map((k) => [k, 0]));
        for (const { out } of results) {
            process.stdout.write(out);
            for (const key of SUMMARY)
                totals[key] += Number(new RegExp(`^# ${key} (\\d+)$`, "m").exec(out)?.[1] ?? 0);
        }
        for (const key of SUMMARY) console.log(`# ${key} ${totals[key]}`);
        const died = results.filter((r) => r.status !== 0 && !/^# fail [1-9]/m.test(r.out));
        if (died.length > 0) console.log(`# ${died.length} test process(es) ended with no failure reported`);
        process.exitCode = results.every((r) => r.status === 0) ? 0 : 1;
    });
}
