// Compiles .ts files on require with this project's tsconfig, transpile-only: what ts-node does for
// `pulumi up` when the tsconfig sets noCheck, without its source-map support (the SDK captures a
// stack trace for every resource and promise, and mapping each through source maps costs more than
// the whole run). Output is cached by content, so a warm run never loads the TypeScript compiler.
// Type checking is `tsc` in the test command; test/repo/loader.test.ts runs the program through the
// SDK's own run script, so the real loader is covered too.
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

const root = path.join(__dirname, "..");
// Beside the node_modules TypeScript resolves from, keyed by content: a copy of the project inside
// this checkout (the fork test's) shares the cache, and its unchanged files are compiled once.
const cacheDir = path.join(path.dirname(require.resolve("typescript/package.json")), "..", ".cache", "flask-eks-transpile");
const tsVersion = require("typescript/package.json").version;
const tsconfig = fs.readFileSync(path.join(root, "tsconfig.json"), "utf8");

let compile;
function compiler() {
    const ts = require("typescript");
    const { config } = ts.parseConfigFileTextToJson("tsconfig.json", tsconfig);
    const { options } = ts.convertCompilerOptionsFromJson(config.compilerOptions, root);
    // This package is CommonJS, so that is what node must be handed.
    const compilerOptions = { ...options, module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10 };
    return (source, fileName) => ts.transpileModule(source, { compilerOptions, fileName }).outputText;
}

require.extensions[".ts"] = (module, filename) => {
    const source = fs.readFileSync(filename, "utf8");
    // The file's extension, not its path: transpiling a .ts file depends on its text and options only.
    const key = crypto
        .createHash("sha256")
        .update(`${tsVersion}\0${tsconfig}\0${path.extname(filename)}\0${source}`)
        .digest("hex");
    const cached = path.join(cacheDir, `${key}.js`);
    let output;
    try {
        output = fs.readFileSync(cached, "utf8");
    } catch {
        output = (compile ??= compiler())(source, filename);
        fs.mkdirSync(cacheDir, { recursive: true });
        fs.writeFileSync(`${cached}.${process.pid}`, output);
        fs.renameSync(`${cached}.${process.pid}`, cached);
    }
    module._compile(output, filename);
};
