/**
 * Neural-network building blocks shared by the model families: layers named like checkpoint keys
 * ({@link dev.lathe.nn.Linear}, {@link dev.lathe.nn.Conv2d}, {@link dev.lathe.nn.GroupNorm},
 * {@link dev.lathe.nn.LayerNorm}), the functional ops they use, adapter hooks for LoRA
 * ({@link dev.lathe.nn.Adapter}), and loading by name from memory-mapped checkpoints
 * ({@link dev.lathe.nn.WeightSource}, {@link dev.lathe.nn.Weights}).
 *
 * <p>Conventions: a block's fields are named after its checkpoint keys ({@code in_layers.2} →
 * {@code inLayers2}) and its constructor loads them in key order, so loading is a walk over key
 * names; forward passes are plain functions over NDArrays that read top to bottom like the
 * model's diagram and work under DJL autograd; configs are immutable records.
 */
@Export
@Version("0.1.0")
package dev.lathe.nn;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
