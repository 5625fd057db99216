// The config reader on its own: the error a user sees, each typed accessor, "empty means unset", and
// a section built only when all of it was read without a problem.
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, Reader, complete } from "../../config/reader";
import { P, PREVIEW, readerOf } from "../helpers";

describe("config reader: the error and the defaults", () => {
    it("counts the problems in its first line and lists one per line, with no stack frames", () => {
        const one = new ConfigError(["a: got 1, expected 2"], "dev");
        assert.equal(one.message, 'Invalid config for stack "dev" (1 problem):\n  - a: got 1, expected 2');
        assert.equal(one.stack, `ConfigError: ${one.message}`);
        const two = new ConfigError(["a", "b"], "prod");
        assert.equal(two.message, 'Invalid config for stack "prod" (2 problems):\n  - a\n  - b');
    });

    it("reads as a preview of today unless told otherwise", () => {
        const { situation } = new Reader(() => undefined, P, []);
        assert.equal(situation.deploying, false);
        assert.ok(Math.abs(situation.today.getTime() - Date.now()) < 60_000);
    });
});

describe("config reader: accessors", () => {
    it("one problem for a key that is not set, whatever its type", () => {
        const notSet = (key: string) =>
            `${P}:${key}: not set, expected a value (Pulumi.yaml declares every key; set this one with pulumi config set ${P}:${key} ...)`;
        for (const read of [
            (r: Reader) => r.string("k", /^a$/, "a"),
            (r: Reader) => r.emptyOr("k", /^a$/, "a"),
            (r: Reader) => r.oneOf("k", ["a"]),
            (r: Reader) => r.integer("k", 1),
            (r: Reader) => r.boolean("k"),
            (r: Reader) => r.list("k", /^a$/, "a"),
        ]) {
            const r = readerOf(P, {}, PREVIEW);
            assert.equal(read(r), undefined);
            assert.deepEqual(r.problems, [notSet("k")]);
        }
    });

    it("integers: surrounding spaces ignored, nothing else before or after the digits", () => {
        assert.equal(readerOf(P, { k: " 5 " }, PREVIEW).integer("k", 1, 9), 5);
        for (const raw of ["5x", "x5", "5.0"]) {
            const r = readerOf(P, { k: raw }, PREVIEW);
            assert.equal(r.integer("k", 1, 9), undefined, raw);
            assert.deepEqual(r.problems, [
                `${P}:k: got ${JSON.stringify(raw)}, expected an integer from 1 to 9`,
            ]);
        }
    });

    it("lists hold strings only", () => {
        const r = readerOf(P, { k: "[5]" }, PREVIEW);
        assert.equal(r.list("k"), undefined);
        assert.deepEqual(r.problems, [`${P}:k: got "[5]", expected a list of strings`]);
    });

    it("says which pattern a value missed when the caller names no expectation", () => {
        const r = readerOf(P, { s: "b", l: '["b"]', e: "b" }, PREVIEW);
        assert.equal(r.string("s", /^a$/), undefined);
        assert.equal(r.list("l", /^a$/), undefined);
        assert.equal(r.emptyOr("e", /^a$/), undefined);
        assert.deepEqual(r.problems, [
            `${P}:s: got "b", expected a string matching /^a$/`,
            `${P}:l: got "b", expected items matching /^a$/`,
            `${P}:e: got "b", expected empty, or a string matching /^a$/`,
        ]);
    });
});

describe("config reader: empty means unset", () => {
    it("an empty value is null, no problem, whatever the pattern; any other is checked as a string", () => {
        const r = readerOf(P, { empty: "", set: "abc", bad: "x", free: " " }, PREVIEW);
        assert.equal(r.emptyOr("empty", /^a+$/, "a's"), null);
        assert.equal(r.emptyOr("set", /^abc$/, "abc"), "abc");
        assert.equal(r.emptyOr("free"), " ");
        assert.equal(r.emptyOr("bad", /^a+$/, "a's"), undefined);
        assert.deepEqual(r.problems, [`${P}:bad: got "x", expected empty, or a's`]);
    });

    it("a key that may be left unset: null for unset or empty, and no problem either way", () => {
        const r = readerOf(P, { empty: "", set: "{}" }, PREVIEW);
        assert.equal(r.emptyOr("unset", undefined, undefined, true), null);
        assert.equal(r.emptyOr("empty", undefined, undefined, true), null);
        assert.equal(r.emptyOr("set", undefined, undefined, true), "{}");
        assert.deepEqual(r.problems, []);
        assert.ok(r.asked.has(`${P}:unset`), "asked, so never reported as unknown");
    });

    it("a section holds an empty key as undefined, and is built only with no problem in it", () => {
        assert.deepEqual(complete({ a: 1, b: null, c: "" }), { a: 1, b: undefined, c: "" });
        assert.ok(Object.hasOwn(complete({ a: 1, b: null })!, "b"), "the key is there, undefined");
        assert.equal(complete({ a: 1, b: undefined }), undefined);
        assert.equal(complete({ a: null, b: undefined }), undefined);
        assert.deepEqual(complete({ a: false, b: 0 }), { a: false, b: 0 });
    });
});
