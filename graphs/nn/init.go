package nn

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"
)

// Normal draws N(mean, stddev) as TensorFlow's random_normal_initializer
// does: a standard normal sample scaled, then shifted (not truncated).
func Normal(mean, stddev float32) Initializer {
	return func(s *op.Scope, shape []int64, dtype tf.DataType, seed int64) tf.Output {
		z := op.RandomStandardNormal(s, op.Const(s.SubScope("shape"), shape), dtype,
			op.RandomStandardNormalSeed(seed), op.RandomStandardNormalSeed2(seed>>7+1))
		return op.AddV2(s, op.Mul(s, z, Scalar(s, dtype, stddev)), Scalar(s, dtype, mean))
	}
}

// Fill initialises every element to value (zeros, ones, Adam's beta powers).
func Fill(value float64) Initializer {
	return func(s *op.Scope, shape []int64, dtype tf.DataType, _ int64) tf.Output {
		return op.Fill(s, op.Const(s.SubScope("shape"), shape), Scalar(s, dtype, value))
	}
}

// Scalar is a constant of dtype holding value. Float values are rounded to
// float32 the way Python's TensorFlow rounds a float literal.
func Scalar[T float32 | float64 | int64](s *op.Scope, dtype tf.DataType, value T) tf.Output {
	s = s.SubScope("Const")
	switch dtype {
	case tf.Float:
		return op.Const(s, float32(value))
	case tf.Double:
		return op.Const(s, float64(value))
	case tf.Int64:
		return op.Const(s, int64(value))
	case tf.Int32:
		return op.Const(s, int32(value))
	}
	s.UpdateErr("Scalar", errUnsupported(dtype))
	return tf.Output{}
}

// Float is a float32 constant, rounded from value as Scalar rounds it.
func Float(s *op.Scope, value float64) tf.Output { return Scalar(s, tf.Float, value) }

// Const is a constant of any value op.Const takes (shapes, axes, index
// lists), named like Scalar's.
func Const(s *op.Scope, value interface{}) tf.Output { return op.Const(s.SubScope("Const"), value) }

type errUnsupported tf.DataType

func (e errUnsupported) Error() string { return fmt.Sprintf("nn: unsupported dtype %d", int(e)) }

// TruncatedNormal draws N(mean, stddev) redrawing values beyond two
// standard deviations, as TensorFlow's truncated_normal_initializer.
func TruncatedNormal(mean, stddev float32) Initializer {
	return func(s *op.Scope, shape []int64, dtype tf.DataType, seed int64) tf.Output {
		z := op.TruncatedNormal(s, op.Const(s.SubScope("shape"), shape), dtype,
			op.TruncatedNormalSeed(seed), op.TruncatedNormalSeed2(seed>>7+1))
		return op.AddV2(s, op.Mul(s, z, Scalar(s, dtype, stddev)), Scalar(s, dtype, mean))
	}
}
