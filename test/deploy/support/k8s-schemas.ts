// Schema subsets of the kinds deploy/kubernetes renders: Kubernetes 1.32 core/apps and prometheus-operator v0.7x CRDs.
// Property lists are the APIs' own (all of them for the objects marked closed); types, enums and
// patterns are copied from the OpenAPI documents and CRD validation (DNS-1123 names, label values,
// Prometheus durations, matcher types).
import type { Schema } from './schema-subset.js';

const str: Schema = { type: 'string' };
const int: Schema = { type: 'integer' };
const bool: Schema = { type: 'boolean' };
const intOrString: Schema = { anyOf: [{ type: 'integer' }, { type: 'string', minLength: 1 }] };
const strArray: Schema = { type: 'array', items: str };
const strMap: Schema = { type: 'object', additionalProperties: str };
const quantity: Schema = {
  anyOf: [
    { type: 'number' },
    { type: 'string', pattern: '^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$' },
  ],
};
const dns1123Subdomain: Schema = {
  type: 'string',
  maxLength: 253,
  pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
};
const dns1123Label: Schema = { type: 'string', maxLength: 63, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' };
const ianaPortName: Schema = { type: 'string', maxLength: 15, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' };
const labelValue: Schema = { type: 'string', maxLength: 63, pattern: '^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$' };
const labelKey: string =
  '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$';
/** Prometheus durations as the operator's CRDs validate them. */
const duration: Schema = {
  type: 'string',
  pattern: '^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$',
};
const labels: Schema = { type: 'object', additionalProperties: labelValue };

function closed(properties: Record<string, Schema>, required: readonly string[] = []): Schema {
  return { type: 'object', properties, required, additionalProperties: false };
}

/** Checks label keys too (JSON Schema's propertyNames, done here by the caller). */
export const LABEL_KEY_PATTERN = new RegExp(labelKey);

const objectMeta = closed(
  {
    name: dns1123Subdomain,
    namespace: dns1123Label,
    labels,
    annotations: strMap,
    generateName: str,
    finalizers: strArray,
    ownerReferences: { type: 'array' },
  },
  ['name'],
);
const labelSelector = closed({
  matchLabels: labels,
  matchExpressions: {
    type: 'array',
    items: closed({ key: str, operator: { enum: ['In', 'NotIn', 'Exists', 'DoesNotExist'] }, values: strArray }, ['key', 'operator']),
  },
});

const httpGet = closed(
  {
    path: { type: 'string', pattern: '^/' },
    port: intOrString,
    host: str,
    scheme: { enum: ['HTTP', 'HTTPS'] },
    httpHeaders: { type: 'array' },
  },
  ['port'],
);
const probe = closed({
  httpGet,
  exec: { type: 'object' },
  tcpSocket: { type: 'object' },
  grpc: { type: 'object' },
  initialDelaySeconds: { type: 'integer', minimum: 0 },
  periodSeconds: { type: 'integer', minimum: 1 },
  timeoutSeconds: { type: 'integer', minimum: 1 },
  successThreshold: { type: 'integer', minimum: 1 },
  failureThreshold: { type: 'integer', minimum: 1 },
  terminationGracePeriodSeconds: int,
});
const capabilities = closed({ add: strArray, drop: strArray });
const seccompProfile = closed({ type: { enum: ['RuntimeDefault', 'Localhost', 'Unconfined'] }, localhostProfile: str }, ['type']);
const containerSecurityContext = closed({
  allowPrivilegeEscalation: bool,
  appArmorProfile: { type: 'object' },
  capabilities,
  privileged: bool,
  procMount: str,
  readOnlyRootFilesystem: bool,
  runAsGroup: int,
  runAsNonRoot: bool,
  runAsUser: int,
  seLinuxOptions: { type: 'object' },
  seccompProfile,
  windowsOptions: { type: 'object' },
});
const podSecurityContext = closed({
  appArmorProfile: { type: 'object' },
  fsGroup: int,
  fsGroupChangePolicy: { enum: ['OnRootMismatch', 'Always'] },
  runAsGroup: int,
  runAsNonRoot: bool,
  runAsUser: int,
  seLinuxOptions: { type: 'object' },
  seccompProfile,
  supplementalGroups: { type: 'array', items: int },
  supplementalGroupsPolicy: str,
  sysctls: { type: 'array' },
  windowsOptions: { type: 'object' },
});
const resourceList: Schema = { type: 'object', additionalProperties: quantity };
const container = closed(
  {
    name: dns1123Label,
    image: str,
    imagePullPolicy: { enum: ['Always', 'Never', 'IfNotPresent'] },
    command: strArray,
    args: strArray,
    workingDir: str,
    ports: {
      type: 'array',
      items: closed(
        {
          name: ianaPortName,
          containerPort: { type: 'integer', minimum: 1, maximum: 65535 },
          protocol: { enum: ['TCP', 'UDP', 'SCTP'] },
          hostIP: str,
          hostPort: int,
        },
        ['containerPort'],
      ),
    },
    env: { type: 'array', items: { type: 'object', required: ['name'] } },
    envFrom: { type: 'array' },
    resources: closed({ requests: resourceList, limits: resourceList, claims: { type: 'array' } }),
    resizePolicy: { type: 'array' },
    restartPolicy: str,
    volumeMounts: {
      type: 'array',
      items: closed(
        {
          name: str,
          mountPath: { type: 'string', pattern: '^/' },
          readOnly: bool,
          subPath: str,
          subPathExpr: str,
          mountPropagation: str,
          recursiveReadOnly: str,
        },
        ['name', 'mountPath'],
      ),
    },
    volumeDevices: { type: 'array' },
    livenessProbe: probe,
    readinessProbe: probe,
    startupProbe: probe,
    lifecycle: { type: 'object' },
    terminationMessagePath: str,
    terminationMessagePolicy: str,
    securityContext: containerSecurityContext,
    stdin: bool,
    stdinOnce: bool,
    tty: bool,
  },
  ['name'],
);
const keyToPath: Schema = { type: 'array', items: closed({ key: str, path: str, mode: int }, ['key', 'path']) };
const volume = closed(
  {
    name: dns1123Label,
    configMap: closed({ name: str, items: keyToPath, defaultMode: { type: 'integer', minimum: 0, maximum: 511 }, optional: bool }),
    secret: closed({ secretName: str, items: keyToPath, defaultMode: { type: 'integer', minimum: 0, maximum: 511 }, optional: bool }),
    emptyDir: closed({ medium: { enum: ['', 'Memory'] }, sizeLimit: quantity }),
    persistentVolumeClaim: closed({ claimName: str, readOnly: bool }, ['claimName']),
    projected: { type: 'object' },
  },
  ['name'],
);
const podSpec = closed(
  {
    containers: { type: 'array', items: container, minItems: 1 },
    initContainers: { type: 'array', items: container },
    volumes: { type: 'array', items: volume },
    securityContext: podSecurityContext,
    automountServiceAccountToken: bool,
    serviceAccountName: str,
    nodeSelector: strMap,
    affinity: { type: 'object' },
    tolerations: { type: 'array' },
    topologySpreadConstraints: { type: 'array' },
    priorityClassName: str,
    terminationGracePeriodSeconds: int,
    enableServiceLinks: bool,
    imagePullSecrets: { type: 'array' },
    restartPolicy: { enum: ['Always', 'OnFailure', 'Never'] },
  },
  ['containers'],
);

function kind(apiVersion: string, kindName: string, spec: Record<string, Schema>, required: readonly string[]): Schema {
  return closed({ apiVersion: { enum: [apiVersion] }, kind: { enum: [kindName] }, metadata: objectMeta, ...spec }, [
    'apiVersion',
    'kind',
    'metadata',
    ...required,
  ]);
}

const matcher = closed({ name: { type: 'string', minLength: 1 }, value: str, matchType: { enum: ['!=', '=', '=~', '!~'] }, regex: bool }, [
  'name',
]);
const secretKeySelector = closed({ name: str, key: str, optional: bool }, ['key']);

/** Schema per "apiVersion/kind". */
export const SCHEMAS: Readonly<Record<string, Schema>> = {
  'v1/Namespace': kind('v1', 'Namespace', { spec: { type: 'object' } }, []),
  'v1/ConfigMap': kind('v1', 'ConfigMap', { data: strMap, binaryData: strMap, immutable: bool }, []),
  'v1/Service': kind(
    'v1',
    'Service',
    {
      spec: closed({
        type: { enum: ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'] },
        selector: labels,
        ports: {
          type: 'array',
          items: closed(
            {
              name: ianaPortName,
              port: { type: 'integer', minimum: 1, maximum: 65535 },
              targetPort: intOrString,
              protocol: { enum: ['TCP', 'UDP', 'SCTP'] },
              appProtocol: str,
              nodePort: int,
            },
            ['port'],
          ),
        },
        clusterIP: str,
        sessionAffinity: str,
      }),
    },
    ['spec'],
  ),
  'v1/PersistentVolumeClaim': kind(
    'v1',
    'PersistentVolumeClaim',
    {
      spec: closed(
        {
          accessModes: { type: 'array', items: { enum: ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'] } },
          resources: closed({ requests: resourceList, limits: resourceList }),
          storageClassName: str,
          volumeMode: str,
          selector: labelSelector,
        },
        ['accessModes', 'resources'],
      ),
    },
    ['spec'],
  ),
  'apps/v1/Deployment': kind(
    'apps/v1',
    'Deployment',
    {
      spec: closed(
        {
          replicas: { type: 'integer', minimum: 0 },
          selector: labelSelector,
          strategy: closed({ type: { enum: ['Recreate', 'RollingUpdate'] }, rollingUpdate: { type: 'object' } }),
          template: closed({ metadata: closed({ labels, annotations: strMap }), spec: podSpec }, ['spec']),
          minReadySeconds: int,
          revisionHistoryLimit: int,
          progressDeadlineSeconds: int,
          paused: bool,
        },
        ['selector', 'template'],
      ),
    },
    ['spec'],
  ),
  'monitoring.coreos.com/v1/ServiceMonitor': kind(
    'monitoring.coreos.com/v1',
    'ServiceMonitor',
    {
      spec: closed(
        {
          selector: labelSelector,
          namespaceSelector: closed({ any: bool, matchNames: strArray }),
          jobLabel: str,
          targetLabels: strArray,
          podTargetLabels: strArray,
          endpoints: {
            type: 'array',
            items: closed({
              port: str,
              targetPort: intOrString,
              path: str,
              scheme: { enum: ['http', 'https'] },
              interval: duration,
              scrapeTimeout: duration,
              honorLabels: bool,
              honorTimestamps: bool,
              params: { type: 'object' },
              bearerTokenSecret: secretKeySelector,
              authorization: { type: 'object' },
              basicAuth: { type: 'object' },
              tlsConfig: { type: 'object' },
              relabelings: { type: 'array' },
              metricRelabelings: { type: 'array' },
              followRedirects: bool,
              enableHttp2: bool,
            }),
          },
        },
        ['selector', 'endpoints'],
      ),
    },
    ['spec'],
  ),
  'monitoring.coreos.com/v1/PrometheusRule': kind(
    'monitoring.coreos.com/v1',
    'PrometheusRule',
    {
      spec: closed({
        groups: {
          type: 'array',
          items: closed(
            {
              name: { type: 'string', minLength: 1 },
              interval: duration,
              query_offset: duration,
              limit: int,
              partial_response_strategy: { type: 'string', pattern: '^([Aa]bort|[Ww]arn)?$' },
              labels: strMap,
              rules: {
                type: 'array',
                items: closed(
                  {
                    record: str,
                    alert: str,
                    expr: intOrString,
                    for: duration,
                    keep_firing_for: duration,
                    labels: strMap,
                    annotations: strMap,
                  },
                  ['expr'],
                ),
              },
            },
            ['name'],
          ),
        },
      }),
    },
    ['spec'],
  ),
  'monitoring.coreos.com/v1alpha1/AlertmanagerConfig': kind(
    'monitoring.coreos.com/v1alpha1',
    'AlertmanagerConfig',
    {
      spec: closed({
        route: closed({
          receiver: str,
          groupBy: strArray,
          groupWait: duration,
          groupInterval: duration,
          repeatInterval: duration,
          matchers: { type: 'array', items: matcher },
          continue: bool,
          routes: { type: 'array' },
          muteTimeIntervals: strArray,
          activeTimeIntervals: strArray,
        }),
        receivers: {
          type: 'array',
          items: closed(
            {
              name: { type: 'string', minLength: 1 },
              webhookConfigs: {
                type: 'array',
                items: closed({
                  url: { type: 'string', pattern: '^https?://' },
                  urlSecret: secretKeySelector,
                  sendResolved: bool,
                  maxAlerts: { type: 'integer', minimum: 0 },
                  httpConfig: closed({
                    authorization: closed({ type: str, credentials: secretKeySelector }),
                    basicAuth: { type: 'object' },
                    bearerTokenSecret: secretKeySelector,
                    tlsConfig: { type: 'object' },
                    proxyURL: str,
                    followRedirects: bool,
                  }),
                }),
              },
            },
            ['name'],
          ),
        },
        inhibitRules: {
          type: 'array',
          items: closed({
            sourceMatch: { type: 'array', items: matcher },
            targetMatch: { type: 'array', items: matcher },
            equal: strArray,
          }),
        },
        muteTimeIntervals: { type: 'array' },
      }),
    },
    [],
  ),
};
