// The app's keys at their edges, read by the app section on its own (the whole program's use of
// them is test/components/app/appsettings.test.ts).
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RESERVED_ENV } from "../../components/app/appsettings";
import { app } from "../../config/app";
import { P, readerOf, verdicts } from "../helpers";

/** The app section read from some keys (objects JSON-encoded) over the defaults, appSecrets held as a secret. */
function appOf(values: Record<string, unknown>, onEks = true) {
    const defaults = {
        appModule: "flaskapp:create_app()",
        appEnv: {},
        appSecrets: {},
        appEgress: [],
        appPolicyArns: [],
    };
    const situation = {
        today: new Date(),
        deploying: false,
        isSecret: (k: string) => k === `${P}:appSecrets`,
    };
    const reader = readerOf(P, { ...defaults, ...values }, situation);
    return { result: app(reader, onEks), problems: reader.problems };
}
const { accepted, refusedOnce } = verdicts(appOf);

describe("the app's keys at their edges", () => {
    it("appModule: dotted module, colon, callable, () for a factory", () => {
        for (const appModule of ["a:b", "_a._b.c9:create_app()", "shop.wsgi:application"])
            accepted({ appModule });
        for (const appModule of ["1a:b", "a:b()x", "a:", ":b", "a.:b", "a:b(x)", "a:b:c", "a b:c"])
            refusedOnce({ appModule });
    });

    it("appEnv names: letters, digits and _, not first a digit, none the container sets", () => {
        accepted({ appEnv: { A_1: "x", _b: "" } });
        for (const appEnv of ["", "{}", undefined])
            assert.deepEqual(appOf({ appEnv }).result?.env, {}, `appEnv ${appEnv}`);
        for (const name of ["1A", "A-B", "A B", ""]) refusedOnce({ appEnv: { [name]: "x" } });
        for (const name of RESERVED_ENV) refusedOnce({ appEnv: { [name]: "x" } });
        assert.match(refusedOnce({ appEnv: { PORTS: 8 } }), /appEnv\.PORTS: got 8, expected a string/);
        for (const appEnv of [["A"], [], 5, null, "A=1"])
            assert.equal(
                refusedOnce({ appEnv }),
                `${P}:appEnv: got ${JSON.stringify(typeof appEnv === "string" ? appEnv : JSON.stringify(appEnv))}, expected a map of NAME: value`,
            );
    });

    it("appSecrets: never shown in a problem, and never also in appEnv", () => {
        assert.deepEqual(appOf({ appSecrets: { TOKEN: "s3cret" } }).result?.secrets, { TOKEN: "s3cret" });
        const problem = refusedOnce({ appSecrets: { TOKEN: 42 } });
        assert.ok(!problem.includes("42") && problem.includes("not shown"), problem);
        assert.equal(
            refusedOnce({ appEnv: { TOKEN: "a", KEY: "b" }, appSecrets: { TOKEN: "c", KEY: "d" } }),
            `${P}:appEnv: got TOKEN, KEY, expected names not also in appSecrets`,
        );
    });

    it("appSecrets are refused when the CLI cannot say they are secrets: unknown means none is", () => {
        const reader = readerOf(
            P,
            { appSecrets: { TOKEN: "s3cret" } },
            { today: new Date(), deploying: false },
        );
        app(reader, true);
        assert.ok(
            reader.problems.some((p) =>
                p.startsWith(`${P}:appSecrets: got a value in plain text (not shown)`),
            ),
            reader.problems.join("\n"),
        );
    });

    it("appEgress: ports 1 to 65535, tcp or udp, a CIDR with its problem named, or the https preset", () => {
        assert.deepEqual(
            appOf({ appEgress: ["10.0.0.0/8:1/udp", "10.1.2.3/32:65535/tcp", "https-anywhere"] }).result
                ?.egress,
            [
                { cidr: "10.0.0.0/8", port: 1, protocol: "UDP" },
                { cidr: "10.1.2.3/32", port: 65535, protocol: "TCP" },
                { cidr: "0.0.0.0/0", port: 443, protocol: "TCP" },
            ],
        );
        for (const entry of [
            "10.0.0.0/8:0/tcp",
            "10.0.0.0/8:65536/tcp",
            "10.0.0.0/8:53/icmp",
            "10.0.0.0/8:53",
            "x10.0.0.0/8:53/tcp",
            "a:10.0.0.0/8:53/tcp",
            "10.0.0.0/8:53/tcpx",
        ])
            refusedOnce({ appEgress: [entry] });
        assert.match(refusedOnce({ appEgress: ["10.0.0.1/8:53/udp"] }), /; the CIDR: /);
        assert.match(refusedOnce({ appEgress: undefined }), /appEgress: not set/);
    });

    it("appPolicyArns: AWS-managed or an account's own, each once, and none on the local target", () => {
        accepted({
            appPolicyArns: [
                "arn:aws:iam::aws:policy/A",
                "arn:aws:iam::123456789012:policy/team/b+c=d,e.f@g_h-i",
                "arn:aws-cn:iam::aws:policy/C",
            ],
        });
        assert.equal(
            refusedOnce({ appPolicyArns: ["AmazonS3ReadOnlyAccess"] }),
            `${P}:appPolicyArns: got "AmazonS3ReadOnlyAccess", expected IAM policy ARNs such as arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess`,
        );
        for (const arn of [
            "arn:aws:iam::12345678901:policy/x",
            "arn:aws:iam::aws:role/x",
            "arn:aws:iam::aws:policy/",
            "arn:aws:iam::aws:policy/a b",
            "xarn:aws:iam::aws:policy/x",
        ])
            refusedOnce({ appPolicyArns: [arn] });
        refusedOnce({ appPolicyArns: ["arn:aws:iam::aws:policy/A", "arn:aws:iam::aws:policy/A"] });
        assert.equal(appOf({ appPolicyArns: ["arn:aws:iam::aws:policy/A"] }, false).problems.length, 1);
        assert.deepEqual(appOf({ appPolicyArns: [] }, false).problems, []);
    });
});
