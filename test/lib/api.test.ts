/** The operator API as synthesized: IAM on every route, throttling and access logs on its stage, least privilege, cdk-nag clean. */
import { Template } from 'aws-cdk-lib/assertions';
import { API_ROUTES } from '../../lambdas/shared/api-routes';
import { ConfigError, parseConfig } from '../../lambdas/shared/config';
import { API_URL_OUTPUT } from '../../lambdas/shared/deployment';
import { API_STATE_TABLE_ACTIONS } from '../../lib/api';
import { buildApp } from '../../lib/app';
import { asg, ecs, testApp, validationFindings } from './helpers';

type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;

function synth(api: unknown) {
  const config = parseConfig({ prefix: 'shop', targets: [asg('web'), ecs('api')], api });
  const built = buildApp(config, { app: testApp(), env: { account: '123456789012', region: 'eu-west-1' } });
  const template = Template.fromStack(built.stack);
  const resources = template.toJSON().Resources as Resources;
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  return { ...built, template, resources, ofType };
}

const enabled = synth({ enabled: true, throttle: { rateLimit: 5, burstLimit: 8 } });

test('every route of the API, whatever its key, takes IAM (SigV4) authorization and nothing else', () => {
  const routes = enabled.ofType('AWS::ApiGatewayV2::Route');
  // The table's routes and the catch-all that answers 404 and 405.
  expect(routes.map(([, r]) => r.Properties.RouteKey).sort()).toEqual([...API_ROUTES.map((r) => `${r.method} ${r.path}`), '$default'].sort());
  const notIam = routes.filter(([, r]) => r.Properties.AuthorizationType !== 'AWS_IAM').map(([id, r]) => `${id} ${r.Properties.RouteKey}`);
  expect(notIam).toEqual([]);
  // No authorizer resource (IAM needs none) and no API key or anonymous way in.
  expect(enabled.ofType('AWS::ApiGatewayV2::Authorizer')).toEqual([]);
  expect(routes.every(([, r]) => r.Properties.ApiKeyRequired !== true && r.Properties.AuthorizerId === undefined)).toBe(true);
});

test('every route goes to the one function, with payload format 2.0', () => {
  const integrations = enabled.ofType('AWS::ApiGatewayV2::Integration');
  expect(integrations).toHaveLength(1);
  expect(integrations[0][1].Properties).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
  const fnId = enabled.stack.getLogicalId(enabled.autoscaler.api!.function.node.defaultChild as never);
  expect(JSON.stringify(integrations[0][1].Properties.IntegrationUri)).toContain(fnId);
});

test("the default stage is throttled as the config says and logs every request, with the caller's ARN, to a log group with a retention", () => {
  const stages = enabled.ofType('AWS::ApiGatewayV2::Stage');
  expect(stages).toHaveLength(1);
  const stage = stages[0][1].Properties;
  expect(stage).toMatchObject({ StageName: '$default', AutoDeploy: true, DefaultRouteSettings: { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 8 } });
  const logGroupId = stage.AccessLogSettings.DestinationArn['Fn::GetAtt'][0];
  expect(enabled.resources[logGroupId]).toMatchObject({ Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 } });
  const format = JSON.parse(stage.AccessLogSettings.Format);
  expect(format).toMatchObject({
    requestId: '$context.requestId',
    caller: '$context.identity.userArn',
    routeKey: '$context.routeKey',
    status: '$context.status',
  });
  expect(enabled.template.findOutputs(API_URL_OUTPUT)[API_URL_OUTPUT]).toBeDefined();
});

test("the function's errors and throttles are self-alarms, like every other function's", () => {
  const names = enabled.ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties.AlarmName);
  expect(names).toEqual(expect.arrayContaining(['shop-self/function/control-api/errors', 'shop-self/function/control-api/throttles']));
});

test('the throttling defaults to 10 requests a second, bursts of 20', () => {
  const { ofType } = synth({ enabled: true });
  expect(ofType('AWS::ApiGatewayV2::Stage')[0][1].Properties.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 });
});

test('its role: exactly the state-table actions the code sends, on the table; publish on the topic; nothing else but logs and tracing', () => {
  const roleId = enabled.stack.getLogicalId(enabled.autoscaler.api!.function.role!.node.defaultChild as never);
  const statements = enabled
    .ofType('AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]);
  const actions = statements.flatMap((s) => [s.Action].flat()).sort();
  expect(actions).toEqual(
    [
      ...API_STATE_TABLE_ACTIONS,
      'sns:Publish',
      'kms:Decrypt',
      'kms:GenerateDataKey',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords',
    ].sort(),
  );
  const tableId = enabled.stack.getLogicalId(enabled.autoscaler.stateTable.node.defaultChild as never);
  const dynamo = statements.find((s) => [s.Action].flat().includes('dynamodb:Query'))!;
  expect(JSON.stringify(dynamo.Resource)).toContain(tableId);
});

test('cdk-nag (AwsSolutions) and CloudFormation validation report nothing unacknowledged', () => {
  const { app } = synth({ enabled: true });
  expect(validationFindings(app)).toEqual([]);
});

test('not asked for, nothing of it is deployed', () => {
  const { ofType, autoscaler, template } = synth(undefined);
  expect(autoscaler.api).toBeUndefined();
  expect(ofType('AWS::ApiGatewayV2::Api')).toEqual([]);
  expect(template.findOutputs(API_URL_OUTPUT)).toEqual({});
});

test('a bad api setting is refused, naming the path and the value', () => {
  const bad = (api: unknown) => {
    try {
      parseConfig({ targets: [asg('web')], api });
      return [];
    } catch (err) {
      return (err as ConfigError).problems;
    }
  };
  expect(bad({ enabled: 'yes' })).toEqual(['api.enabled: "yes" is not a boolean']);
  expect(bad({ enabled: true, throttle: { rateLimit: 0 } })).toEqual(['api.throttle.rateLimit: 0 is below the minimum 0 (exclusive)']);
  expect(bad({ enabled: true, throttle: { burstLimit: 9000 } })).toEqual(['api.throttle.burstLimit: 9000 is above the maximum 5000']);
  expect(bad({ enabled: true, throttle: { burstLimit: 2.5 } })).toEqual(['api.throttle.burstLimit: 2.5 is not a whole number']);
  expect(bad({ enabeld: true })).toEqual(['api.enabeld: unknown key']);
  expect(() => parseConfig({ targets: [asg('web')], api: { enabled: 1 } })).toThrow(ConfigError);
});
