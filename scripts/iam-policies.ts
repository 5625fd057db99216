// Writes every IAM policy the bootstrap program makes (its example stack, under the mocks, delivering
// every committed AWS stack: the one-stack shapes, the platforms and the apps): the roles' inline
// policies and the managed ones (boundaries, the deploy roles' IAM rights), to DIR, one JSON file per
// policy, for npm test to lint with parliament.
import * as fs from "fs";
import * as path from "path";
import { runStack } from "../offline";
import { committedStacks, loadStackConfig, readProjectFile } from "../offline/stack-config";

const dir = process.argv[2];
const root = path.join(__dirname, "..", "bootstrap");
const project = readProjectFile().name;
const stacks = committedStacks().filter((s) => loadStackConfig(s).values[`${project}:target`] !== "local");
const overrides = { [`${readProjectFile(root).name}:stacks`]: JSON.stringify(stacks) };
runStack("example", { root, overrides }).then((run) => {
    if (run.error) throw run.error;
    const policies = run.registrations.filter(
        (r) => r.type === "aws:iam/rolePolicy:RolePolicy" || r.type === "aws:iam/policy:Policy",
    );
    if (policies.length === 0) throw new Error("the bootstrap program made no IAM policy");
    fs.mkdirSync(dir, { recursive: true });
    for (const r of policies)
        fs.writeFileSync(
            path.join(dir, `${r.type.split(":").pop()}-${r.name}.json`),
            String(r.inputs.policy),
        );
});
