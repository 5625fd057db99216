// What the bootstrap program's tests share: its run on the example stack, and readers of the IAM
// documents it writes.
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { RunResult, runStack } from "../../offline";
import { ROOT } from "../../offline/stack-config";
import { inputs, one } from "../helpers";

export const BOOTSTRAP = path.join(ROOT, "bootstrap");
export const B = "flask-eks-bootstrap";
export const bootstrap = (overrides?: Record<string, string | undefined>) =>
    runStack("example", { root: BOOTSTRAP, overrides });

export async function okBootstrap(): Promise<RunResult> {
    const run = await bootstrap();
    assert.equal(run.error, undefined, run.error?.message);
    return run;
}

// Inputs are arbitrary JSON; the tests read IAM documents freely.
export type Statement = any;
export const policyOf = (run: RunResult, name: string) =>
    JSON.parse(inputs(one(run, "aws:iam/rolePolicy:RolePolicy", name)).policy);
export const trustOf = (run: RunResult, name: string) =>
    JSON.parse(inputs(one(run, "aws:iam/role:Role", name)).assumeRolePolicy);
export const actionsOf = (statements: Statement[]) => new Set(statements.flatMap((s) => s.Action));
