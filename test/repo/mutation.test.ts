import * as assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";
import { REPORT, Results, readResults, render, scopeFiles, summaryLine } from "../../scripts/mutation-report";
import { readRepoFile } from "../helpers";
import { testFiles } from "./helpers";

describe("mutation testing: what the docs say matches the results", () => {
    const results = readResults();
    const scope = scopeFiles();

    it("docs/mutation.md is rendered from test/mutation/results.json as it is", () => {
        assert.equal(
            readRepoFile(REPORT),
            render(results, scope),
            "run npm run test:mutation, or the report alone",
        );
    });

    it("the README states the score of the results file", () => {
        assert.ok(
            readRepoFile("README.md").includes(summaryLine(results, scope)),
            summaryLine(results, scope),
        );
    });

    it("measures only files that are in the scope", () => {
        assert.deepEqual(
            Object.keys(results.files).filter((f) => !scope.includes(f)),
            [],
            "results for files no longer mutated: run npm run test:mutation",
        );
    });

    it("runs every test file but the snapshot's, the fork's (which runs the others) and those of the docs and of this report", () => {
        const listed: string[] = JSON.parse(readRepoFile("stryker.config.json")).tap.testFiles;
        const all = testFiles().filter(
            (f) => !/^(snapshot|quickstart|docs|mutation|fork)\./.test(path.basename(f)),
        );
        assert.deepEqual([...listed].sort(), all.sort(), "list the new test file in stryker.config.json");
    });
});

describe("mutation testing: the score", () => {
    const mutant = (status: string, line = 1) => ({
        mutatorName: "StringLiteral",
        replacement: '"a | `b`\n c"',
        location: { start: { line, column: 1 } },
        status,
        ...(status === "Ignored" ? { statusReason: "equivalent: why" } : {}),
    });
    const results: Results = {
        files: {
            "a.ts": {
                mutants: [
                    mutant("Killed"),
                    mutant("Timeout"),
                    mutant("Survived", 3),
                    mutant("NoCoverage", 2),
                    mutant("Ignored", 4),
                    mutant("CompileError"),
                ],
            },
        },
    };

    it("counts killed and timed-out over those plus survivors and the uncovered", () => {
        assert.equal(
            summaryLine(results, ["a.ts", "b.ts"]),
            "Mutation score: **50.0%** (2 of 4 mutants killed; 1 of 2 files measured)",
        );
    });

    it("rounds down: 100% only when no scored mutant is left alive", () => {
        const many: Results = {
            files: { "a.ts": { mutants: [...Array(999).fill(mutant("Killed")), mutant("Survived")] } },
        };
        assert.equal(
            summaryLine(many, ["a.ts"]),
            "Mutation score: **99.9%** (999 of 1000 mutants killed; 1 of 1 files measured)",
        );
    });

    it("lists each file, unmeasured ones too, and every mutant left alive with its line", () => {
        const report = render(results, ["a.ts", "b.ts"]);
        assert.match(report, /^\| a\.ts \| 6 \| 1 \| 1 \| 1 \| 1 \| 1 \| 50\.0% \|$/m);
        assert.match(report, /^\| b\.ts \| not measured \| \| \| \| \| \| \|$/m);
        assert.deepEqual(
            report.split("\n").filter((l) => /^\| \d+ \|/.test(l)),
            [
                "| 2 | StringLiteral | NoCoverage | \"a \\| 'b' c\" |",
                "| 3 | StringLiteral | Survived | \"a \\| 'b' c\" |",
                "| 4 | StringLiteral | Ignored | equivalent: why |",
            ],
        );
    });
});
