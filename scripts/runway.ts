// npm run check:runway [-- --today YYYY-MM-DD]: fails (exit 1) when the Kubernetes version of
// Pulumi.yaml's default or of any committed stack has fewer than RUNWAY_WARNING_DAYS days of EKS
// standard support left, so maintainers hear it (runway.yml, weekly) before a fresh clone's default
// is refused. Prints one line per version: its stacks, the end of standard support and the days left.
import { KUBERNETES_VERSIONS, RUNWAY_WARNING_DAYS, runway } from "../domain/versions";
import { committedStacks, loadStackConfig, readProjectFile } from "../offline/stack-config";

function versionsInUse(): Map<string, string[]> {
    const project = readProjectFile();
    const users = new Map<string, string[]>();
    const add = (version: string, who: string) => users.set(version, [...(users.get(version) ?? []), who]);
    add(String(project.config?.kubernetesVersion?.default), "Pulumi.yaml's default");
    for (const stack of committedStacks()) {
        const values = loadStackConfig(stack).values;
        // A local cluster is the user's, and an app stack's is its platform's.
        if (values[`${project.name}:target`] === "local" || values[`${project.name}:layer`] === "app")
            continue;
        add(values[`${project.name}:kubernetesVersion`], `stack ${stack}`);
    }
    return users;
}

export function checkRunway(today: Date): { lines: string[]; ok: boolean } {
    const lines: string[] = [];
    let ok = true;
    for (const [version, users] of versionsInUse()) {
        const row = KUBERNETES_VERSIONS[version];
        const now = row && runway(row, today);
        const short = !now || now.phase !== "standard" || now.days < RUNWAY_WARNING_DAYS;
        ok &&= !short;
        lines.push(
            !row
                ? `FAIL Kubernetes ${version} (${users.join(", ")}): no row in domain/versions.ts`
                : `${short ? "FAIL" : "ok  "} Kubernetes ${version} (${users.join(", ")}): standard support until ${row.endOfStandardSupport}, ${now.phase === "standard" ? `${now.days} days left` : "over"}${short ? `; under ${RUNWAY_WARNING_DAYS} days: add the next minor to domain/versions.ts and move the default and the stacks to it` : ""}`,
        );
    }
    return { lines, ok };
}

if (require.main === module) {
    const at = process.argv.indexOf("--today");
    const today = at >= 0 ? new Date(`${process.argv[at + 1]}T00:00:00Z`) : new Date();
    if (Number.isNaN(today.getTime())) {
        process.stderr.write("runway: --today takes a date such as 2027-01-31\n");
        process.exit(2);
    }
    const { lines, ok } = checkRunway(today);
    process.stdout.write(`${lines.join("\n")}\n`);
    process.exit(ok ? 0 : 1);
}
