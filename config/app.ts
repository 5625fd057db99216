import { cidrProblem } from "../domain/cidr";
import { AppSettings, EgressRule, RESERVED_ENV } from "../components/app/appsettings";
import { Reader, complete, parseJson } from "./reader";

// What the user's app asks of the platform: its WSGI entry, its environment and secrets, where it
// may connect, and what its AWS role may do. Every value is checked here; no secret value is ever
// written into a problem line.

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MODULE = /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*:[A-Za-z_]\w*(\(\))?$/;
const POLICY_ARN = /^arn:aws[a-z-]*:iam::(aws|\d{12}):policy\/[\w+=,.@/-]+$/;
const EGRESS = /^(?<cidr>[^:]+):(?<port>\d+)\/(?<protocol>tcp|udp)$/;
/** The preset for calling public HTTPS APIs. */
export const HTTPS_ANYWHERE = "https-anywhere";

/** A map of environment names to strings, as the CLI passes an object (JSON); undefined once reported. */
function envMap(r: Reader, key: string, secret: boolean): Record<string, string> | undefined {
    const name = r.name(key);
    const raw = r.emptyOr(key, undefined, undefined, true);
    if (typeof raw !== "string") return {};
    const parsed = parseJson(raw);
    const shown = (value: unknown) =>
        secret ? "a value (not shown: it is a secret)" : JSON.stringify(value);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        r.problems.push(`${name}: got ${shown(raw)}, expected a map of NAME: value`);
        return undefined;
    }
    const problems = r.problems.length;
    for (const [env, value] of Object.entries(parsed)) {
        if (!ENV_NAME.test(env))
            r.problems.push(
                `${name}: got the name ${JSON.stringify(env)}, expected letters, digits and _ (not first a digit)`,
            );
        else if (RESERVED_ENV.includes(env))
            r.problems.push(
                `${name}: got the name ${env}, expected one the container does not set itself (${RESERVED_ENV.join(", ")})`,
            );
        else if (typeof value !== "string")
            r.problems.push(
                `${name}.${env}: got ${shown(value)}, expected a string (quote numbers and booleans)`,
            );
    }
    return r.problems.length > problems ? undefined : (parsed as Record<string, string>);
}

function egressRule(r: Reader, entry: string): EgressRule | undefined {
    if (entry === HTTPS_ANYWHERE) return { cidr: "0.0.0.0/0", port: 443, protocol: "TCP" };
    const match = EGRESS.exec(entry);
    const cidr = match && cidrProblem(match.groups!.cidr, 0, 32);
    const port = match ? Number(match.groups!.port) : 0;
    if (!match || cidr || port < 1 || port > 65535) {
        r.problem(
            "appEgress",
            entry,
            `CIDR:port/protocol such as 10.20.0.0/16:5432/tcp (port 1 to 65535, tcp or udp${cidr ? `; the CIDR: ${cidr}` : ""}), or ${HTTPS_ANYWHERE}`,
        );
        return undefined;
    }
    return {
        cidr: match.groups!.cidr,
        port,
        protocol: match.groups!.protocol.toUpperCase() as "TCP" | "UDP",
    };
}

/** The app's section; undefined once a problem is recorded. */
export function app(r: Reader, onEks: boolean): AppSettings | undefined {
    const module = r.string(
        "appModule",
        MODULE,
        "module:callable, such as flaskapp:create_app() (() calls a factory)",
    );
    const env = envMap(r, "appEnv", false);
    let secrets = envMap(r, "appSecrets", true);
    if (secrets && Object.keys(secrets).length > 0 && !r.situation.isSecret?.(r.name("appSecrets"))) {
        r.problems.push(
            `${r.name("appSecrets")}: got a value in plain text (not shown), expected a secret: set each with pulumi config set --secret --path 'appSecrets.NAME' VALUE`,
        );
        secrets = undefined;
    }
    const both = Object.keys(env ?? {}).filter((n) => n in (secrets ?? {}));
    if (both.length) {
        r.problems.push(`${r.name("appEnv")}: got ${both.join(", ")}, expected names not also in appSecrets`);
        secrets = undefined;
    }
    const entries = r.list("appEgress");
    const rules = entries?.map((e) => egressRule(r, e));
    const egress = rules?.every((rule) => rule !== undefined) ? (rules as EgressRule[]) : undefined;
    let policyArns = r.list(
        "appPolicyArns",
        POLICY_ARN,
        "IAM policy ARNs such as arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
    );
    const repeated = policyArns?.filter((arn, i) => policyArns!.indexOf(arn) !== i) ?? [];
    if (repeated.length) {
        r.problem("appPolicyArns", repeated[0], "each policy once");
        policyArns = undefined;
    }
    if (policyArns?.length && !onEks) {
        r.problem("appPolicyArns", policyArns, "[] on the local target, whose pods have no AWS role");
        policyArns = undefined;
    }
    return complete({ module, env, secrets, egress, policyArns });
}
