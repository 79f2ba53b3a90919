/**
 * The CDK app of the reference app: `npx aws-cdk@2 deploy` from infra/aws (cdk.json runs this
 * file with the project's Node 24). Synthesizing touches no network: it bundles the Lambda
 * with esbuild and writes the template to cdk.out.
 */
import { App } from 'aws-cdk-lib';
import { Code } from 'aws-cdk-lib/aws-lambda';
import { REFERENCE_APP, resolveInfraSettings } from '../settings.ts';
import { bundleLambda } from './bundle.ts';
import { JobferryAwsStack } from './stack.ts';

const settings = resolveInfraSettings(REFERENCE_APP, { platforms: ['aws'] });
const bundle = await bundleLambda();
const app = new App();
new JobferryAwsStack(app, 'JobferryReference', {
  settings,
  code: Code.fromAsset(bundle.directory),
  // Set by the CDK CLI from the credentials in use; unset, the stack is environment-agnostic.
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
app.synth();
