import { z } from 'zod';

const environmentSchema = z.object({
  name: z.string().min(1),
  mirrors: z.string().min(1).optional(),
});

export const stackCreatedV1 = z.object({
  stack: z.string().min(1),
  environments: z.array(environmentSchema).min(1),
});
export type StackCreatedV1 = z.infer<typeof stackCreatedV1>;

export const environmentAddedV1 = z.object({
  stack: z.string().min(1),
  environment: environmentSchema,
});
export type EnvironmentAddedV1 = z.infer<typeof environmentAddedV1>;
