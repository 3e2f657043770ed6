/**
 * Learning-rate schedules as kohya-ss/sd-scripts uses them ({@code --lr_scheduler}): a
 * {@link dev.lathe.train.schedule.LrSchedule} gives the factor on the base learning rate for
 * each optimizer step; {@link dev.lathe.train.schedule.LrSchedules} creates one by its kohya name.
 */
@Export
@Version("0.1.0")
package dev.lathe.train.schedule;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
