import type * as pulumi from "@pulumi/pulumi";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { movedUnderComponent } from "../../migrations";
import { RunOptions, RunResult, urnsOf } from "../../offline";
import { P, committedStacks, eksStacks, okRun, one } from "../helpers";

// Stacks deployed before the restructure hold the URNs in test/snapshots/urns.<stack>.txt. A renamed
// or moved component keeps them through aliases; if one were lost, the engine would create the
// resource anew and delete the old one. Each old URN must resolve, under the mocks, to exactly one
// registration of the same type and name (test/repo/snapshot.test.ts shows its inputs are unchanged). The
// lists were recorded as project flask-eks; a renamed fork's state names its own project instead.

/**
 * A recorded URN as the state of this project's stack holds it: its project segment is this one's, and
 * so is every name made from the project's: the stack's root resource (`<project>-<stack>`), and the
 * access entries of the delivery roles, which the bootstrap names after the project.
 */
const inThisProject = (urn: string) => {
    const [head, project, type, name] = urn.split("::");
    return [head, P, type, name.replaceAll(`${project}-`, `${P}-`)].join("::");
};

/** The stacks with a recorded list: those deployed before the restructure, which a fork may have removed. */
const recorded = () =>
    eksStacks().filter((stack) =>
        fs.existsSync(path.join(__dirname, "..", "snapshots", `urns.${stack}.txt`)),
    );

const leaf = (urn: string) => {
    const [, , chain, name] = urn.split("::");
    return `${chain.split("$").pop()}::${name}`;
};

describe("the resource tree", () => {
    // A resource is named by its chain of parents: one registered at the root instead of inside its
    // component gets another URN, and pulumi up would replace it.
    for (const stack of committedStacks()) {
        it(`${stack}: only the components and the explicit providers sit at the stack's root`, async () => {
            const run = await okRun(stack);
            const root = run.registrations.find((r) => r.parent === "")!.urn;
            const top = run.registrations.filter((r) => r.parent === root);
            assert.deepEqual(
                top.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:")).map((r) => r.urn),
                [],
            );
            assert.ok(
                top.some((r) => !r.custom),
                "the components are there",
            );
        });
    }
});

/** Each old URN resolves, under the mocks, to exactly one registration of `run`, named the same. */
function assertResolves(run: RunResult, file: string, renamed: Record<string, string> = {}): void {
    const answering = new Map<string, string[]>();
    for (const r of run.registrations) {
        for (const urn of urnsOf(run, r)) answering.set(urn, [...(answering.get(urn) ?? []), r.urn]);
    }
    const old = fs
        .readFileSync(path.join(__dirname, "..", "snapshots", file), "utf8")
        .trim()
        .split("\n");
    for (const urn of old.map(inThisProject)) {
        const found = answering.get(urn) ?? [];
        assert.equal(found.length, 1, `${urn} resolves to ${found.length} registrations`);
        assert.equal(leaf(found[0]), renamed[leaf(urn)] ?? leaf(urn), urn);
    }
}

/**
 * The lists recorded on 2026-12-05, before issue 33 put the Helm add-ons, the IRSA roles and the
 * Workload's policies and scaling in components of their own: each committed stack as it was, and
 * staging with every optional part (app policies and secrets, Container Insights, a hostname).
 */
const BEFORE_ISSUE_33: Record<string, { stack: string; options?: RunOptions }> = {
    dev: { stack: "dev" },
    staging: { stack: "staging" },
    prod: { stack: "prod" },
    local: { stack: "local" },
    "staging-full": {
        stack: "staging",
        options: {
            overrides: {
                [`${P}:appPolicyArns`]:
                    '["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess","arn:aws:iam::123456789012:policy/team/app-reads"]',
                [`${P}:containerInsights`]: "true",
                [`${P}:hostname`]: "app.example.com",
                [`${P}:hostedZoneId`]: "Z0123456789ABCDEFGHIJ",
            },
            secrets: { [`${P}:appSecrets`]: JSON.stringify({ DB_PASSWORD: "x" }) },
        },
    },
};

describe("URN aliases", () => {
    for (const stack of recorded()) {
        it(`${stack}: every URN its state holds from before the restructure still resolves`, async () => {
            // The lists were recorded before the stacks had the delivery roles, with the mocks' deployer as admin.
            const run = await okRun(stack, { overrides: { [`${P}:deliveryRoles`]: "false" } });
            assertResolves(run, `urns.${stack}.txt`, {
                "flask-eks:index:App::app": "flask-eks:index:Workload::app",
            });
        });
    }

    for (const [scenario, { stack, options }] of Object.entries(BEFORE_ISSUE_33)) {
        const file = `urns.2026-12-05.${scenario}.txt`;
        if (
            !committedStacks().includes(stack) ||
            !fs.existsSync(path.join(__dirname, "..", "snapshots", file))
        )
            continue;
        it(`${scenario}: every URN its state held before the components of issue 33 still resolves`, async () => {
            assertResolves(await okRun(stack, options), file);
        });
    }

    it("the workload answers to its old type, and its children follow it", async () => {
        const run = await okRun("dev");
        const workload = one(run, "flask-eks:index:Workload");
        assert.ok(
            urnsOf(run, workload).includes(
                inThisProject("urn:pulumi:dev::flask-eks::pulumi:pulumi:Stack$flask-eks:index:App::app"),
            ),
        );
        const deployment = one(run, "kubernetes:apps/v1:Deployment");
        assert.ok(
            urnsOf(run, deployment).includes(
                inThisProject(
                    "urn:pulumi:dev::flask-eks::flask-eks:index:App$kubernetes:apps/v1:Deployment::web",
                ),
            ),
        );
    });

    it("a moved child's alias names its former parent by URN, not by the resource", () => {
        const formerParent = { urn: "the former parent's URN output" } as unknown as pulumi.Resource;
        assert.deepEqual(movedUnderComponent(formerParent), { aliases: [{ parent: formerParent.urn }] });
        assert.deepEqual(movedUnderComponent(undefined), {});
    });

    it("the node group's resources answer to their place under the cluster", async () => {
        const run = await okRun("dev");
        const nodeGroup = one(run, "aws:eks/nodeGroup:NodeGroup");
        assert.match(nodeGroup.urn, /flask-eks:index:NodeGroup\$aws:eks\/nodeGroup:NodeGroup::nodes$/);
        assert.ok(
            urnsOf(run, nodeGroup).includes(
                inThisProject(
                    "urn:pulumi:dev::flask-eks::flask-eks:index:Cluster$aws:eks/nodeGroup:NodeGroup::nodes",
                ),
            ),
        );
    });
});
