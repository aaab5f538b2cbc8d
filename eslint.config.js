import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "guards/**/build/", "guards/**/assembly/", ".cache/", "bench/results/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      // Private members one way: ECMAScript's #, private at run time too. A private constructor
      // (a factory's) has no # form, so it stays allowed.
      "no-restricted-syntax": [
        "error",
        { selector: "PropertyDefinition[accessibility='private']", message: "Use a #private field instead of the private keyword." },
        { selector: "MethodDefinition[accessibility='private'][kind!='constructor']", message: "Use a #private method instead of the private keyword." },
        { selector: "TSParameterProperty[accessibility='private']", message: "Declare a #private field instead of a private parameter property." },
      ],
    },
  },
  {
    // The live view's page script runs in the browser, with no build step.
    files: ["src/telemetry/live-view/page/*.js"],
    languageOptions: {
      sourceType: "script",
      globals: {
        document: "readonly",
        fetch: "readonly",
        sessionStorage: "readonly",
        AbortController: "readonly",
        TextDecoderStream: "readonly",
        setTimeout: "readonly",
      },
    },
  },
);
