/**
 * The operator API (config `api.enabled`): an API Gateway HTTP API whose every route takes IAM (SigV4)
 * signed requests only, throttled on its default stage, its access logged; one function serves it
 * (lambdas/api), over the same control core as the CLI.
 */
import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { API_ROUTES } from '../lambdas/shared/api-routes';
import type { AutoscalerConfig } from '../lambdas/shared/config';
import { STATE_TABLE_ENV, TOPIC_ARN_ENV } from '../lambdas/shared/environment';
import type { NotificationTopic } from './monitoring/topic';
import { createProjectFunction, type PowertoolsSource, PROJECT_ROOT } from './shared/function';

/** The API's handler file. */
export const API_HANDLER_ENTRY = path.join(PROJECT_ROOT, 'lambdas', 'api', 'handler.ts');

/**
 * The DynamoDB actions the API's code sends to the state table (lambdas/state/dynamo.ts): a target's
 * record and override are reads, its switches a batch read, the audit log and the overrides queries,
 * a switch an update, an override and an audit entry puts. Exact: test/faults/R29 fails on a call
 * that is not allowed and on an action no call needs.
 */
export const API_STATE_TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];

export interface OperatorApiProps {
  /** The parsed config, bundled with the function; its `api` sets the throttling. */
  readonly config: AutoscalerConfig;
  /** Switches, overrides and the audit trail. */
  readonly stateTable: dynamodb.ITable;
  /**
   * Where overrides set or ended are announced.
   * @default no notifications
   */
  readonly notifications?: NotificationTopic;
  /** How long the function's log group and the access log keep their events. */
  readonly logRetention: logs.RetentionDays;
  /**
   * Where the function finds Powertools (`PowertoolsSource`).
   * @default 'layer'
   */
  readonly powertools?: PowertoolsSource;
}

export class OperatorApi extends Construct {
  /** The HTTP API; every route IAM-authorized. */
  public readonly httpApi: apigw.HttpApi;
  /** Its default stage (`$default`): throttled, access logged. */
  public readonly stage: apigw.HttpStage;
  /** The function that serves every route. */
  public readonly function: NodejsFunction;
  /** The access log: one JSON line a request, with the caller's ARN. */
  public readonly accessLog: logs.LogGroup;
  /** `https://<api-id>.execute-api.<region>.amazonaws.com/` */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: OperatorApiProps) {
    super(scope, id);
    // 1. Validate: the config's schema has (api.throttle within API Gateway's account quota).
    const { config } = props;
    const { throttle } = config.api;

    // 2. Build: the function, with its own role and log group, then the API in front of it.
    this.function = createProjectFunction(this, 'Function', {
      config,
      logRetention: props.logRetention,
      entry: API_HANDLER_ENTRY,
      powertools: props.powertools,
      purpose: 'operator API (status, metrics, history, pause and resume, overrides)',
      roleOf: 'operator API',
      memorySize: 256,
      // API Gateway waits at most 30 s for an integration (HTTP API quota); a reply later than that is lost.
      timeout: Duration.seconds(29),
      environment: {
        [STATE_TABLE_ENV]: props.stateTable.tableName,
        ...(props.notifications ? { [TOPIC_ARN_ENV]: props.notifications.topic.topicArn } : {}),
      },
    }).fn;

    this.accessLog = new logs.LogGroup(this, 'AccessLog', { retention: props.logRetention });
    // IAM authorization on every route: API Gateway invokes a route only for a request signed with
    // SigV4 by a principal allowed execute-api:Invoke on it, and answers 403 otherwise (API Gateway
    // Developer Guide, "Control access to HTTP APIs with IAM authorization"). The default authorizer
    // applies to every route the API is given, the catch-all `$default` included.
    const integration = new HttpLambdaIntegration('Integration', this.function, { payloadFormatVersion: apigw.PayloadFormatVersion.VERSION_2_0 });
    this.httpApi = new apigw.HttpApi(this, 'HttpApi', {
      apiName: `${config.prefix}-autoscaler`,
      description: `${config.prefix} autoscaler: operator API (IAM-authorized)`,
      defaultAuthorizer: new HttpIamAuthorizer(),
      // A path or method no route names reaches the function too, which answers 404 or 405 in JSON.
      defaultIntegration: integration,
      // The stage is built below, with its throttling and access log.
      createDefaultStage: false,
    });
    for (const route of API_ROUTES) {
      this.httpApi.addRoutes({ path: route.path, methods: [apigw.HttpMethod[route.method]], integration });
    }
    this.stage = new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      // The stage's default route throttling: a token bucket for every route together (API Gateway
      // Developer Guide, "Throttle requests to your HTTP APIs"); past it, API Gateway answers 429.
      throttle: { rateLimit: throttle.rateLimit, burstLimit: throttle.burstLimit },
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(this.accessLog),
        // HTTP API access log variables (API Gateway Developer Guide, "Customize HTTP API access logs").
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            caller: '$context.identity.userArn',
            method: '$context.httpMethod',
            path: '$context.path',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            integrationError: '$context.integrationErrorMessage',
            error: '$context.error.message',
          }),
        ),
      },
    });
    this.url = this.stage.url;

    // 3. Wire: least privilege on the state table, the topic's publish.
    props.stateTable.grant(this.function, ...API_STATE_TABLE_ACTIONS);
    props.notifications?.grantPublish(this.function);
  }
}
