import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { didYouMean, distance, nearest } from "../../config/nearest";

describe("did you mean: edit distance", () => {
    it("counts insertions, deletions, substitutions and swaps of neighbours, one each", () => {
        for (const [a, b, d] of [
            ["", "", 0],
            ["", "abc", 3],
            ["abc", "", 3],
            ["abc", "abc", 0],
            ["abc", "abxc", 1],
            ["abxc", "abc", 1],
            ["abc", "abx", 1],
            ["abc", "bac", 1],
            ["abcd", "acbd", 1],
            ["abcd", "badc", 2],
            ["kitten", "sitting", 3],
        ] as [string, string, number][]) {
            assert.equal(distance(a, b), d, `${a} → ${b}`);
        }
    });

    it("ignores case", () => {
        assert.equal(distance("NodeMaxSize", "nodemaxsize"), 0);
    });
});

describe("did you mean: the nearest names", () => {
    const known = ["nodeMaxSize", "nodeMinSize", "nodeDesiredSize", "vpcCidr"];

    it("keeps only the names at the least distance, sorted, at most `count`", () => {
        assert.deepEqual(nearest("nodeMaxSize", known), ["nodeMaxSize"]);
        assert.deepEqual(nearest("nodeSize", ["aSize", "nodeSiz", "nodeSizes", "odeSize"]), [
            "nodeSiz",
            "nodeSizes",
            "odeSize",
        ]);
        assert.deepEqual(nearest("nodeSize", ["nodeSiz", "nodeSizes", "odeSize"], 2), [
            "nodeSiz",
            "nodeSizes",
        ]);
        assert.deepEqual(nearest("x", ["x", "x"]), ["x"], "a name given twice is one name");
    });

    it("allows a third of the word's length in edits, at least 2, and no more", () => {
        // Nine letters: 3 edits allowed.
        assert.deepEqual(nearest("abcdefghi", ["abcdefxxx"]), ["abcdefxxx"]);
        assert.deepEqual(nearest("abcdefghi", ["abcdexxxx"]), []);
        // Three letters: still 2.
        assert.deepEqual(nearest("abc", ["axx"]), ["axx"]);
        assert.deepEqual(nearest("abc", ["xxx"]), []);
        assert.deepEqual(nearest("abc", []), []);
    });
});

describe("did you mean: the sentence", () => {
    it("names one, two or three names the way a person would", () => {
        assert.equal(didYouMean("vpcCid", ["vpcCidr"]), "; did you mean vpcCidr?");
        assert.equal(didYouMean("ab", ["ax", "xb"]), "; did you mean ax or xb?");
        assert.equal(didYouMean("ab", ["ax", "xb", "ay"]), "; did you mean ax, ay or xb?");
        assert.equal(
            didYouMean("ab", ["xb", "az", "ax", "ay"]),
            "; did you mean ax, ay or az?",
            "three at most",
        );
        assert.equal(didYouMean("nothing-like-it", ["vpcCidr"]), "");
    });

    it("compares keys without their namespace and prints it back", () => {
        assert.equal(
            didYouMean("aws:regoin", ["aws:region", "aws:profile"], "aws:"),
            "; did you mean aws:region?",
        );
        // Ten characters with the prefix would allow 3 edits; the six of the bare key allow 2.
        assert.equal(didYouMean("aws:abcdef", ["aws:abcxyz"], "aws:"), "");
    });
});
