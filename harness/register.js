// Compiles TypeScript on require the way `pulumi up` does: the SDK's run script picks typescript and
// ts-node (the project's copies, else its vendored ones) through these same helpers, reads this
// tsconfig, and skips type checking when it sets noCheck. Tests and the plan load through here, so a
// tsconfig that would break `pulumi up` breaks them too. Type checking is `tsc` in the test command.
"use strict";
const path = require("path");
const tsutils = require("@pulumi/pulumi/tsutils");

const project = path.join(__dirname, "..", "tsconfig.json");
const compilerOptions = tsutils.loadTypeScriptCompilerOptions(project);
const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
require(tsnodeRequire).register({
    compiler: typescriptRequire,
    transpileOnly: compilerOptions.noCheck,
    project,
    skipProject: false,
    compilerOptions: { target: "ES2020", module: "nodenext", moduleResolution: "nodenext", ...compilerOptions },
});
